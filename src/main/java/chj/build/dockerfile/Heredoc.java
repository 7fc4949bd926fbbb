package chj.build.dockerfile;

import java.util.regex.Pattern;

/**
 * A here-document ({@code <<EOF} … {@code EOF}) of RUN, COPY or ADD.
 *
 * @param name the delimiter word, quotes removed
 * @param content the lines between the instruction and the delimiter, line ends kept
 * @param chomp {@code <<-}: leading tabs are stripped from each line (see {@link #body()})
 * @param expand false when any part of the delimiter was quoted: then COPY/ADD copy the text as is,
 *     else they substitute variables in it (RUN leaves that to the shell either way)
 * @param fileDescriptor the digits before {@code <<}, 0 when none
 */
public record Heredoc(String name, String content, boolean chomp, boolean expand, int fileDescriptor) {

    private static final Pattern LEADING_TABS = Pattern.compile("(?m)^\t+");

    /** The content with leading tabs removed from every line when {@link #chomp()}. */
    public String body() {
        return chomp ? LEADING_TABS.matcher(content).replaceAll("") : content;
    }
}
