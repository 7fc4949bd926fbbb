package chj.run.sys;

/** A system call failed; carries errno and a description of the call. */
public final class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String call;

    public ErrnoException(String call, int errno) {
        super(call + ": " + Errno.message(errno));
        this.call = call;
        this.errno = errno;
    }

    public int errno() { return errno; }

    /** What was called (for messages that add their own context). */
    public String call() { return call; }

    /** strerror(3) text of the errno. */
    public String reason() { return Errno.message(errno); }
}
