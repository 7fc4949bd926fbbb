package chj.layer;

/**
 * What one {@link LayerUnpacker#apply} call did.
 *
 * @param tarBytes       bytes read from the tar stream, padding and trailing blocks included
 * @param members        tar members seen (PAX and GNU long-name headers not counted)
 * @param files          regular files written
 * @param directories    directories created or updated
 * @param symlinks       symbolic links written
 * @param hardlinks      hard links written
 * @param whiteouts      whiteouts applied, plain and opaque
 * @param bytes          file content bytes written (sparse files count their full size)
 * @param devicesSkipped device files and FIFOs skipped (an unprivileged user cannot make them)
 * @param rejected       members skipped with a warning: hostile or invalid names, links, parents
 * @param setidDropped   files whose setuid or setgid bit was dropped
 * @param xattrsApplied  {@code user.*} extended attributes set
 * @param xattrsSkipped  other extended attributes, or ones the file system refused
 */
public record LayerStats(long tarBytes, long members, long files, long directories, long symlinks,
                         long hardlinks, long whiteouts, long bytes, long devicesSkipped, long rejected,
                         long setidDropped, long xattrsApplied, long xattrsSkipped) {
}
