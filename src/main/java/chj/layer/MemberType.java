package chj.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/** The kinds of tar member the unpacker tells apart. */
enum MemberType {
    FILE, DIRECTORY, SYMLINK, HARDLINK, DEVICE, FIFO, UNSUPPORTED;

    /** By the type flag; a trailing slash makes a directory only of a regular-file flag (old tars). */
    static MemberType of(TarArchiveEntry e) {
        return switch (e.getLinkFlag()) {
            case '5', 'D' -> DIRECTORY; // 'D': GNU dump directory
            case '2' -> SYMLINK;
            case '1' -> HARDLINK;
            case '3', '4' -> DEVICE;
            case '6' -> FIFO;
            case '0', 0, '7' -> e.getName().endsWith("/") ? DIRECTORY : FILE; // '7': contiguous file
            default -> e.isSparse() ? FILE : UNSUPPORTED; // GNU 'S' sparse files are regular files
        };
    }
}
