package chj.ocirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The container's process from {@code create} on: the process whose PID goes into the pid file.
 * It is {@code bin/ch-run-oci __holder DIR} (POSIX sh): it opens the state directory's FIFO, says
 * it is ready, and blocks reading the FIFO until {@code start} writes to it; then it sources the
 * plan and execs ch-run, which execs the command. One PID from create to exit, so the pid-file
 * process's exit status is the command's and a signal sent to it reaches whatever runs.
 *
 * <p>It is started from the JVM because the JDK's process start gives the child only stdin,
 * stdout and stderr (the container's stdio, which Buildah passed to {@code create}); the
 * launcher's shell cannot close the other descriptors Buildah leaks to its runtime (dash
 * redirects descriptors 0-9 only). When this JVM exits, the holder is re-parented to Buildah,
 * a child subreaper, which waits for it.
 */
final class Holder {
    /** How long a holder may take to get ready (a loaded machine, a slow first unshare). */
    static final long READY_MILLIS = 30_000;

    private Holder() {}

    /**
     * Starts the holder for {@code dir} and waits until it is ready; with {@code privateNetwork},
     * in a new network namespace (and, without the privilege for that, a user namespace of its
     * own), so that Buildah's network set-up, which enters the PID's network namespace, never
     * touches the host's.
     */
    static Process start(StateDir dir, boolean privateNetwork, Path launcher) throws OciRuntimeException {
        List<String> cmd = new ArrayList<>();
        if (privateNetwork && canAdministerNamespaces())
            cmd.addAll(List.of("unshare", "--net", "--"));   // owned by the caller's user namespace, as runc's
        else if (privateNetwork)
            cmd.addAll(List.of("unshare", "--user", "--map-current-user", "--net", "--"));
        cmd.addAll(List.of("/bin/sh", launcher.toString(), "__holder", dir.path().toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).inheritIO().directory(Path.of("/").toFile()).start();
        } catch (IOException e) {
            throw new OciRuntimeException("can't start the container process " + cmd.getFirst() + ": " + e.getMessage());
        }
        Path ready = dir.file(StateDir.READY);
        long deadline = System.nanoTime() + READY_MILLIS * 1_000_000;
        try {
            while (!Files.exists(ready)) {
                if (!p.isAlive())
                    throw new OciRuntimeException("container process exited with status " + p.exitValue()
                            + " before it was ready" + (privateNetwork ? " (its network namespace: unshare --net)" : ""));
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new OciRuntimeException("container process not ready after " + READY_MILLIS / 1000 + " s");
                }
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new OciRuntimeException("interrupted while starting the container process");
        }
        return p;
    }

    /**
     * Whether this process has CAP_SYS_ADMIN in its user namespace: root, or Buildah's root inside
     * its rootless user namespace. Then a network namespace needs no user namespace of its own, and
     * Buildah's network set-up (CNI, netavark, slirp4netns) may enter it as it would runc's.
     */
    static boolean canAdministerNamespaces() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1))
                if (line.startsWith("CapEff:"))
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 21)) != 0;
        } catch (IOException | NumberFormatException e) {
            // no answer: assume not
        }
        return false;
    }

    /** Field 22 of /proc/PID/stat (start time in clock ticks): with the PID, names a process for good. */
    static String startTime(long pid) throws OciRuntimeException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new OciRuntimeException("container process " + pid + " vanished: " + e.getMessage());
        }
        String[] after = stat.substring(stat.lastIndexOf(") ") + 2).trim().split(" ");
        if (after.length < 20) throw new OciRuntimeException("can't parse /proc/" + pid + "/stat");
        return after[19];   // fields from 3 (state) on: 22 is index 19
    }
}
