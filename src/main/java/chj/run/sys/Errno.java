package chj.run.sys;

/**
 * errno values ch-run reacts to, and strerror(3) texts. The common texts are kept here so that an
 * error after pivot_root (for instance a command that is not found) needs no further downcall.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, ENOEXEC = 8, EACCES = 13,
            EBUSY = 16, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOSPC = 28, EROFS = 30,
            ENAMETOOLONG = 36, ENOSYS = 38, ELOOP = 40, EOPNOTSUPP = 95, ESTALE = 116;

    public static String message(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case ESRCH -> "No such process";
            case EINTR -> "Interrupted system call";
            case ENOEXEC -> "Exec format error";
            case EACCES -> "Permission denied";
            case EBUSY -> "Device or resource busy";
            case EEXIST -> "File exists";
            case ENOTDIR -> "Not a directory";
            case EISDIR -> "Is a directory";
            case EINVAL -> "Invalid argument";
            case ENOSPC -> "No space left on device";
            case EROFS -> "Read-only file system";
            case ENAMETOOLONG -> "File name too long";
            case ENOSYS -> "Function not implemented";
            case ELOOP -> "Too many levels of symbolic links";
            case EOPNOTSUPP -> "Operation not supported";
            case ESTALE -> "Stale file handle";
            default -> Sys.strerror(errno);
        };
    }
}
