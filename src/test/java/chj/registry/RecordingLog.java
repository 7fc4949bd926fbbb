package chj.registry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A RegistryLog that keeps every line at every level, for assertions (and for secrets that must not be there). */
final class RecordingLog implements RegistryLog {

    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public boolean enabled(Level level) {
        return true;
    }

    @Override
    public void log(Level level, String message) {
        lines.add(level + " " + message);
    }

    String all() {
        return String.join("\n", lines);
    }
}
