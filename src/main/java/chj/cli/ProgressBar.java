package chj.cli;

import chj.image.TransferProgress;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One status line for all transfers in flight, redrawn at most ten times a second; only on a
 * terminal and not with -q. Off a terminal nothing is drawn (logs stay clean).
 */
final class ProgressBar implements TransferProgress, AutoCloseable {

    private record Transfer(long total, AtomicLong done) {}

    private final PrintStream err;
    private final Map<String, Transfer> active = new ConcurrentHashMap<>();
    private final AtomicLong finishedBytes = new AtomicLong();
    private volatile long lastDraw;
    private volatile int drawnWidth;
    private int finishedCount;

    private final String verb;

    private ProgressBar(PrintStream err, String verb) {
        this.err = err;
        this.verb = verb;
    }

    static ProgressBar forTerminal(ConsoleLog log) {
        return forTerminal(log, "downloading");
    }

    /** @param verb what the line says is happening, e.g. {@code uploading} */
    static ProgressBar forTerminal(ConsoleLog log, String verb) {
        boolean tty = System.console() != null && System.console().isTerminal() && !"dumb".equals(System.getenv("TERM"));
        return tty && log.verbosity() >= 0 ? new ProgressBar(System.err, verb) : null;
    }

    @Override
    public void started(String id, long total) {
        active.put(id, new Transfer(total, new AtomicLong()));
        draw(true);
    }

    @Override
    public void advanced(String id, long bytes) {
        Transfer t = active.get(id);
        if (t != null) t.done().addAndGet(bytes);
        draw(false);
    }

    @Override
    public void finished(String id) {
        Transfer t = active.remove(id);
        if (t != null) {
            finishedBytes.addAndGet(t.done().get());
            synchronized (this) {
                finishedCount++;
            }
        }
        draw(true);
    }

    private void draw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        long done = finishedBytes.get(), total = finishedBytes.get();
        boolean knownTotal = true;
        for (Transfer t : active.values()) {
            done += t.done().get();
            if (t.total() < 0) knownTotal = false;
            else total += t.total();
        }
        String line;
        synchronized (this) {
            line = String.format(verb + ": %d in flight, %d done, %s", active.size(), finishedCount,
                    knownTotal ? mib(done) + "/" + mib(total) + " MiB" : mib(done) + " MiB");
        }
        synchronized (err) {
            err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
            err.flush();
            drawnWidth = line.length();
        }
    }

    /**
     * {@code log} with the status line wiped before each message, so that messages and the line
     * don't run into each other; the line comes back with the next progress.
     */
    chj.Log around(chj.Log log) {
        return new chj.Log() {
            @Override public void info(String m) { wipe(); log.info(m); }
            @Override public void warning(String m) { wipe(); log.warning(m); }
            @Override public void verbose(String m) { wipe(); log.verbose(m); }
            @Override public void debug(String m) { wipe(); log.debug(m); }
            @Override public void trace(String m) { wipe(); log.trace(m); }
        };
    }

    private void wipe() {
        synchronized (err) {
            if (drawnWidth > 0) {
                err.print("\r" + " ".repeat(drawnWidth) + "\r");
                err.flush();
                drawnWidth = 0;
            }
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }

    @Override
    public void close() {
        wipe();
    }
}
