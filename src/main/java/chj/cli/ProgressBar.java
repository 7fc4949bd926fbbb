package chj.cli;

import chj.image.TransferProgress;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One status line for all downloads in flight, redrawn at most ten times a second; only on a
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

    private ProgressBar(PrintStream err) {
        this.err = err;
    }

    static ProgressBar forTerminal(ConsoleLog log) {
        boolean tty = System.console() != null && System.console().isTerminal() && !"dumb".equals(System.getenv("TERM"));
        return tty && log.verbosity() >= 0 ? new ProgressBar(System.err) : null;
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
            line = String.format("downloading: %d in flight, %d done, %s", active.size(), finishedCount,
                    knownTotal ? mib(done) + "/" + mib(total) + " MiB" : mib(done) + " MiB");
        }
        synchronized (err) {
            err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
            err.flush();
            drawnWidth = line.length();
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }

    @Override
    public void close() {
        if (drawnWidth > 0) {
            synchronized (err) {
                err.print("\r" + " ".repeat(drawnWidth) + "\r");
                err.flush();
            }
        }
    }
}
