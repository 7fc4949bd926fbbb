package chj.run;

import chj.run.sys.ErrnoException;
import chj.run.sys.Linux;
import chj.run.sys.Spawn;
import chj.run.sys.Sys;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ch-run --serve=SOCKET}: one container, many commands. ch-image build runs each RUN of a
 * stage in the same image tree with the same mounts; starting ch-run (a JVM) for each one cost
 * about 0.1 s a RUN. Instead ch-image listens on a Unix socket and starts one ch-run with
 * {@code --serve}: it connects, builds the container as usual (mounts, pivot_root, no_new_privs,
 * seccomp on this thread) and then, per request, starts the command as a child with posix_spawn
 * (see {@link Spawn}; the child inherits the filter) and answers with its exit status. It ends when
 * ch-image closes the socket.
 *
 * <p>ch-run connects as soon as it starts and builds the container when the first request comes:
 * ch-image starts it while it is still filling the tree.
 *
 * <p>A request is what would follow the image's options on a one-shot command line: environment
 * options ({@code --env-no-expand}, {@code --unset-env}, {@code --set-env}), {@code --cd}, then
 * {@code --} and the command; the environment starts afresh from ch-run's own for each one, so
 * nothing leaks from one RUN to the next. Errors are reported as a one-shot ch-run reports them,
 * with the same exit statuses (49: the command could not be started).
 *
 * <p>Wire format, native byte order (both ends are on one machine): a request is an int count,
 * then count times an int length and that many bytes; the answer is an int exit status.
 */
final class Session {
    private Session() {}

    /** Connects to ch-image's socket; before pivot_root, while its path is reachable. */
    static Wire connect(String path) throws RunException {
        byte[] name = Sys.stringToBytes(path);
        if (name.length >= 108) throw new RunException("--serve: socket path too long: " + path);
        try {
            int fd = (int) Sys.call("socket", Linux.SYS_socket, Linux.AF_UNIX, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0, 0, 0);
            MemorySegment addr = Sys.alloc(110);      // struct sockaddr_un
            ByteBuffer b = Sys.view(addr);
            b.putShort(0, (short) Linux.AF_UNIX);
            b.put(2, name);
            Sys.call("can't connect to " + path, Linux.SYS_connect, fd, addr.address(), 2 + name.length + 1, 0, 0);
            return new Wire(fd);
        } catch (ErrnoException e) {
            throw new RunException("--serve: " + e.getMessage());
        }
    }

    /**
     * Serves {@code first} and then every request on {@code wire} until ch-image closes it.
     * {@code baseEnv} is ch-run's own environment, {@code home} the container's HOME,
     * {@code keepFds} the descriptors children keep.
     */
    static void serve(Wire wire, String[] first, String[] baseEnv, String home, int[] keepFds,
                      Environment.ImageFiles imageFiles) throws RunException {
        for (String[] request = first; request != null; request = wire.readRequest()) {
            int status;
            try {
                status = runOne(request, baseEnv, home, keepFds, imageFiles);
            } catch (UsageException e) {
                Log.write(2, OptionParser.usageReport(e.getMessage()));
                status = e.exitCode();
            } catch (RunException e) {
                Log.error(e.getMessage());
                status = e.exitCode();
            }
            wire.writeStatus(status);
        }
    }

    private static int runOne(String[] request, String[] baseEnv, String home, int[] keepFds,
                              Environment.ImageFiles imageFiles) throws RunException {
        Options r = OptionParser.parse(request);
        if (!r.binds.isEmpty() || r.write || r.writeFake != null || r.seccomp || r.uid >= 0 || r.gid >= 0
                || r.serve != null || r.join || r.home)
            throw new RunException("--serve: a request sets only the environment, the directory and the command");
        List<String> argv = new ArrayList<>();
        if (r.image != null) argv.add(r.image);        // everything after "--" is the command
        if (r.cmd != null) argv.addAll(List.of(r.cmd));
        if (argv.isEmpty()) throw new RunException(RunException.EXIT_USAGE, "IMAGE and/or CMD not specified");
        Environment env = Environment.of(baseEnv);
        env.fix(home, r.envOps, imageFiles);
        String dir = r.cd == null ? "/" : r.cd.startsWith("/") ? r.cd : "/" + r.cd;
        try {
            Sys.Stat st = Sys.stat(dir);
            if (st == null) throw new RunException("can't cd to " + r.cd + ": No such file or directory");
            if (!st.isDir()) throw new RunException("can't cd to " + r.cd + ": Not a directory");
        } catch (ErrnoException e) {
            throw new RunException("can't cd to " + r.cd + ": " + e.reason());
        }
        Log.info("executing: " + String.join(" ", argv));
        return new Command(argv.toArray(new String[0]), env, keepFds, 0).spawnAndWait(dir);
    }

    /** The socket, read and written with plain system calls (no JDK classes or files needed after pivot_root). */
    static final class Wire {
        private final int fd;
        private MemorySegment buf = Sys.alloc(4096);

        Wire(int fd) {
            this.fd = fd;
        }

        /** The next request, or null at end of stream. */
        String[] readRequest() throws RunException {
            if (!read(4, true)) return null;
            int count = Sys.view(buf).getInt(0);
            if (count < 0 || count > 1_000_000) throw new RunException("--serve: bad request");
            String[] args = new String[count];
            for (int i = 0; i < count; i++) {
                read(4, false);
                int len = Sys.view(buf).getInt(0);
                if (len < 0 || len > (64 << 20)) throw new RunException("--serve: bad request");
                read(len, false);
                byte[] b = new byte[len];
                Sys.view(buf).get(0, b);
                args[i] = Sys.bytesToString(b, 0, len);
            }
            return args;
        }

        void writeStatus(int status) throws RunException {
            byte[] b = new byte[4];
            java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).putInt(status);
            try {
                Sys.writeAll(fd, b, "--serve: can't answer");
            } catch (ErrnoException e) {
                throw new RunException(e.getMessage());
            }
        }

        /** Reads exactly n bytes into buf; false at a clean end of stream before the first byte (if allowed). */
        private boolean read(int n, boolean eofOk) throws RunException {
            if (buf.byteSize() < n) buf = Sys.alloc(n);
            long got = 0;
            while (got < n) {
                long rc = Sys.raw(Linux.SYS_read, fd, buf.address() + got, n - got, 0, 0, 0);
                if (rc == -chj.run.sys.Errno.EINTR) continue;
                if (rc < 0) throw new RunException("--serve: can't read request: " + chj.run.sys.Errno.message((int) -rc));
                if (rc == 0) {
                    if (got == 0 && eofOk) return false;
                    throw new RunException("--serve: request cut short");
                }
                got += rc;
            }
            return true;
        }
    }
}
