package chj.build.dockerfile;

/** A parser directive from the top of the file, e.g. {@code # escape=`}; {@code name} is lower case. */
public record Directive(String name, String value, SourceLocation location) {}
