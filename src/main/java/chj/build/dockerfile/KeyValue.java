package chj.build.dockerfile;

/**
 * One {@code key=value} of ENV or LABEL, as written (quotes and variables still in it).
 *
 * @param legacy written in the old {@code ENV key value} form
 */
public record KeyValue(String key, String value, boolean legacy) {}
