/**
 * OCI layers onto a directory: decompression and the changeset rules, streaming, safe for hostile
 * input, flattened for an unprivileged user.
 *
 * <p>Entry points: {@link chj.layer.Compression#decompress} (gzip, zstd or plain, told by magic
 * bytes) and {@link chj.layer.LayerUnpacker}: {@code apply} once per layer in order, then
 * {@code finish}. A pull's pipeline is
 * {@code blob → [sha256] → Compression.decompress → [DiffID sha256] → LayerUnpacker.apply};
 * {@code apply} reads its stream to the very end, on a reader thread of its own, so both digests
 * cover every byte and run beside the file writes. Problems with single members are warnings
 * (with counts in {@link chj.layer.LayerStats}); a corrupt or truncated tar, or a tree that cannot
 * be written, is a {@link chj.layer.LayerException}.
 *
 * <p>Inside: {@code TarReader} (Commons Compress, strict about endings and checksums),
 * {@code MemberPath} (names and link targets as relative paths), {@code RootTree} (the tree, never
 * through a symlink, with a graveyard for removed entries), {@code Whiteouts} (hides lower layers
 * only, in any archive order), {@code FileData} (plain and sparse data), {@code Xattrs},
 * {@code LayerReport} (counts, capped warnings), {@code ReadAheadInputStream}.
 */
package chj.layer;
