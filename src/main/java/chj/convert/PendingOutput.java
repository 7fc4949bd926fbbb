package chj.convert;

import chj.Log;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An output written under a temporary name beside its final one (so on the same filesystem) and
 * renamed onto it only when complete: a failed, interrupted or killed conversion never leaves a
 * partial OUT. What is still pending when the JVM exits (Ctrl-C, SIGTERM) is removed by a
 * shutdown hook.
 */
final class PendingOutput implements AutoCloseable {

    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : PENDING) FileTrees.deleteQuietly(p, Log.SILENT);
        }, "chj-convert-cleanup"));
    }

    private final Path target;
    private final Path temporary;
    private final Log log;
    private boolean done;

    private PendingOutput(Path target, Path temporary, Log log) {
        this.target = target;
        this.temporary = temporary;
        this.log = log;
        PENDING.add(temporary);
    }

    /** A temporary name for {@code target}, nothing created yet: {@code .NAME.PID.RANDOM.tmp} in its directory. */
    static PendingOutput beside(Path target, Log log) {
        Path abs = target.toAbsolutePath().normalize();
        String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + ProcessHandle.current().pid() + "." + random + ".tmp");
        return new PendingOutput(abs, tmp, log);
    }

    /** Where to write. */
    Path path() {
        return temporary;
    }

    Path target() {
        return target;
    }

    /** Renames the finished output onto the target; see {@link #commit(Path)}. */
    void commit() throws ConvertException {
        commit(temporary);
    }

    /**
     * Renames {@code finished}, the temporary output or a directory below it (an unpacked
     * tarball's single top directory), onto the target. An existing target is replaced: a file or
     * an empty directory in one step; a directory image by moving it aside first and removing it
     * after.
     */
    void commit(Path finished) throws ConvertException {
        if (!finished.startsWith(temporary)) throw new IllegalArgumentException(finished + " is not below " + temporary);
        try {
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) && !FileTrees.list(target).isEmpty()) {
                Path old = temporary.resolveSibling(temporary.getFileName() + ".old");
                PENDING.add(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE);
                FileTrees.deleteQuietly(old, log);
                PENDING.remove(old);
            } else {
                Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new ConvertException("can't rename " + finished + " to " + target + ": not on one filesystem");
        } catch (IOException e) {
            throw new ConvertException("can't rename " + finished + " to " + target + ": " + e.getMessage());
        }
        if (!finished.equals(temporary)) FileTrees.deleteQuietly(temporary, log);
        done = true;
        PENDING.remove(temporary);
    }

    /** Removes the temporary output unless it was committed. */
    @Override
    public void close() {
        if (done) return;
        FileTrees.deleteQuietly(temporary, log);
        PENDING.remove(temporary);
        done = true;
    }
}
