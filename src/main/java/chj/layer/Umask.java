package chj.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process umask, so that files created with the right mode need no extra chmod. */
final class Umask {

    private Umask() {}

    /** The umask from /proc/self/status; 0777 (always chmod) when it cannot be read. */
    static int current() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) return Integer.parseInt(line.substring(6).trim(), 8);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: chmod every time
        }
        return 0777;
    }
}
