package chj.build.dockerfile;

/**
 * A file whose content is in the Dockerfile: a COPY/ADD here-document (named after its delimiter,
 * placed at the destination like any source file) or the script of a {@code RUN <<EOF} whose body
 * starts with {@code #!} (to be made available at {@code path}, mode 0755, for the run).
 *
 * @param path where a RUN script must be visible in the container; null for COPY/ADD
 */
public record InlineFile(String name, String content, int mode, String path) {}
