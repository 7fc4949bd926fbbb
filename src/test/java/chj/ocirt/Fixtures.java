package chj.ocirt;

import chj.Log;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The config.json files Buildah wrote (src/test/resources/chj/ocirt), moved into a temporary bundle. */
final class Fixtures {
    static final String ROOT = "buildah-config.json", USER = "buildah-config-user.json",
            ROOTLESS = "buildah-config-rootless.json";

    private Fixtures() {}

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("no test resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A bundle in {@code dir} as Buildah makes one: config.json (the fixture, its bundle paths
     * rewritten to {@code dir}), hosts, hostname, resolv.conf, run/.containerenv, and mnt/rootfs
     * with an /etc/passwd.
     */
    static Path bundle(Path dir, String fixture) {
        String json = text(fixture);
        Matcher m = Pattern.compile("\"(/var/tmp/buildah[0-9]+)/mnt/rootfs\"").matcher(json);
        if (!m.find()) throw new IllegalStateException(fixture + " has no Buildah bundle path");
        json = json.replace(m.group(1), dir.toString());
        try {
            Files.createDirectories(dir.resolve("mnt/rootfs/etc"));
            Files.createDirectories(dir.resolve("run"));
            Files.writeString(dir.resolve("mnt/rootfs/etc/passwd"),
                    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            for (String f : List.of("hosts", "hostname", "resolv.conf", "run/.containerenv"))
                Files.writeString(dir.resolve(f), f + "\n");
            Files.writeString(dir.resolve("config.json"), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** A log that keeps what it is told, by level. */
    static final class RecordingLog implements Log {
        final List<String> debug = Collections.synchronizedList(new ArrayList<>());
        final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

        @Override public void info(String m) {}
        @Override public void warning(String m) { warnings.add(m); }
        @Override public void verbose(String m) { debug.add(m); }
        @Override public void debug(String m) { debug.add(m); }
        @Override public void trace(String m) { debug.add(m); }
    }
}
