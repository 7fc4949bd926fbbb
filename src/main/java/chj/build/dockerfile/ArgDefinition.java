package chj.build.dockerfile;

/** One name of an ARG instruction; {@code defaultValue} is null for a bare {@code ARG NAME}. */
public record ArgDefinition(String name, String defaultValue) {}
