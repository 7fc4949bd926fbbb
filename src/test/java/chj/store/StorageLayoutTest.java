package chj.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try") // locks and stores held for a block
class StorageLayoutTest {

    @TempDir
    Path tmp;

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void defaultRootFollowsCharliecloudRules() throws StoreException {
        assertThat(Storage.defaultRoot(Map.of(), "alice")).isEqualTo(Path.of("/var/tmp/alice.chj"));
        assertThat(Storage.defaultRoot(Map.of("CH_IMAGE_STORAGE", "/scratch/a/../b"), "alice")).isEqualTo(Path.of("/scratch/b"));
        assertThat(Storage.defaultRoot(Map.of("CH_IMAGE_STORAGE", ""), "alice")).isEqualTo(Path.of("/var/tmp/alice.chj"));
        assertThatThrownBy(() -> Storage.defaultRoot(Map.of("CH_IMAGE_STORAGE", "rel/dir"), "alice"))
                .isInstanceOf(StoreException.class).hasMessage("CH_IMAGE_STORAGE must be an absolute path: rel/dir");
        assertThatThrownBy(() -> Storage.defaultRoot(Map.of(), "")).hasMessageContaining("unknown user name");
        // -s wins over the environment and may be relative
        Path s = Storage.resolveRoot("rel/store", Map.of("CH_IMAGE_STORAGE", "/elsewhere"), "alice");
        assertThat(s).isAbsolute().isEqualTo(Path.of("rel/store").toAbsolutePath());
        assertThat(Storage.resolveRoot(null, Map.of("CH_IMAGE_STORAGE", "/elsewhere"), "alice")).isEqualTo(Path.of("/elsewhere"));
    }

    @Test
    void openCreatesTheLayout() throws Exception {
        Path root = tmp.resolve("a/b/store");
        try (Storage s = Storage.open(root)) {
            assertThat(s.root()).isEqualTo(root.toRealPath());
            assertThat(Files.readString(root.resolve("version"))).isEqualTo("chj-1\n");
            for (String d : List.of("img", "blobs/sha256", "blobs/partial", "tmp", "locks/img", "locks/blob", "locks/staging", "trash"))
                assertThat(root.resolve(d)).isDirectory();
            assertThat(s.imageNames()).isEmpty();
        }
        // and opens again as it is
        try (Storage s = Storage.open(root)) {
            assertThat(s.imageNames()).isEmpty();
        }
    }

    @Test
    void emptyDirectoryIsInitialised() throws Exception {
        // Unlike Charliecloud, which refuses one: users often mkdir the directory first.
        Path root = Files.createDirectory(tmp.resolve("empty"));
        try (Storage s = Storage.open(root)) {
            assertThat(root.resolve("version")).hasContent("chj-1");
        }
    }

    @Test
    void directoryHoldingOnlyTheSquashMountPointIsInitialised() throws Exception {
        // ch-run makes <storage>/mnt for SquashFS images, possibly before any ch-image command ran
        Path root = Files.createDirectory(tmp.resolve("runfirst"));
        Files.createDirectory(root.resolve("mnt"));
        try (Storage s = Storage.open(root)) {
            assertThat(root.resolve("version")).hasContent("chj-1");
            assertThat(root.resolve("mnt")).isDirectory();
        }
    }

    @Test
    void missingSubdirectoriesOfAValidStoreAreRecreated() throws Exception {
        Path root = tmp.resolve("s");
        Storage.open(root).close();
        Files.delete(root.resolve("trash"));
        try (Storage s = Storage.open(root)) {
            assertThat(root.resolve("trash")).isDirectory();
        }
    }

    @Test
    void foreignDirectoryIsRefusedAndLeftAlone() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("home"));
        Files.writeString(root.resolve("thesis.tex"), "important");
        List<String> before = tree(root);
        assertThatThrownBy(() -> Storage.open(root))
                .isInstanceOf(StoreException.class)
                .hasMessage("storage directory seems invalid: " + root.toRealPath() + ": not empty and no version file")
                .extracting(e -> ((StoreException) e).hint()).asString().contains("-s or CH_IMAGE_STORAGE");
        assertThat(tree(root)).isEqualTo(before);
        assertThatThrownBy(() -> Storage.reset(root)).hasMessageStartingWith("storage directory seems invalid");
        assertThat(tree(root)).isEqualTo(before);
    }

    @Test
    void charliecloudStoreIsRefusedAndLeftAlone() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("ch"));
        Files.writeString(root.resolve("version"), "7\n");
        Files.createDirectories(root.resolve("img/alpine+3.17/ch"));
        Files.createDirectories(root.resolve("dlcache"));
        List<String> before = tree(root);
        assertThatThrownBy(() -> Storage.open(root))
                .isInstanceOf(StoreException.class)
                .hasMessage("storage directory is Charliecloud's (layout version 7), not chj's: " + root.toRealPath())
                .extracting(e -> ((StoreException) e).hint()).asString().contains("never changes Charliecloud's");
        assertThatThrownBy(() -> Storage.reset(root)).hasMessageContaining("Charliecloud's");
        assertThat(tree(root)).isEqualTo(before);
        assertThat(root.resolve("version")).hasContent("7");
    }

    @Test
    void otherChjVersionIsRefusedButResettable() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("future"));
        Files.writeString(root.resolve("version"), "chj-99\n");
        Files.createDirectories(root.resolve("img/old"));
        Files.createDirectories(root.resolve("somethingnew/deep"));
        assertThatThrownBy(() -> Storage.open(root))
                .isInstanceOf(StoreException.class)
                .hasMessage("incompatible storage directory version chj-99: " + root.toRealPath())
                .extracting(e -> ((StoreException) e).hint()).isEqualTo("you can delete and re-initialize with \"ch-image reset\"");
        assertThat(root.resolve("img/old")).isDirectory();
        Storage.reset(root);
        assertThat(root.resolve("version")).hasContent("chj-1");
        assertThat(root.resolve("img/old")).doesNotExist();
        assertThat(root.resolve("somethingnew")).doesNotExist();
        Storage.open(root).close();
    }

    @Test
    void garbageVersionIsRefused() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("g"));
        Files.writeString(root.resolve("version"), "hello\n");
        assertThatThrownBy(() -> Storage.open(root)).hasMessageEndingWith(": unknown version 'hello'");
    }

    @Test
    void badRoots() throws Exception {
        assertThatThrownBy(() -> Storage.open(Path.of("relative"))).hasMessage("storage directory must be an absolute path: relative");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> Storage.open(file)).hasMessage("storage directory is not a directory: " + file);
    }

    @Test
    void manyThreadsInitialiseOneStoreAtOnce() throws Exception {
        Path root = tmp.resolve("race");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Storage>> opens = new ArrayList<>();
            for (int i = 0; i < 8; i++) opens.add(pool.submit(() -> Storage.open(root)));
            for (Future<Storage> f : opens) f.get().close(); // none refused the half-made store
        } finally {
            pool.shutdownNow();
        }
        assertThat(root.resolve("version")).hasContent("chj-1");
    }

    @Test
    void manyProcessesInitialiseOneStoreAtOnce() throws Exception {
        Path root = tmp.resolve("race-processes");
        List<StoreChild.Child> children = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) children.add(StoreChild.start(root.toString(), "open"));
            for (StoreChild.Child c : children) assertThat(c.expectLine(20_000)).isEqualTo("OPEN");
        } finally {
            for (StoreChild.Child c : children) c.close();
        }
        assertThat(root.resolve("version")).hasContent("chj-1");
    }

    @Test
    void resetEmptiesAndReinitialises() throws Exception {
        Path root = tmp.resolve("r");
        try (Storage s = Storage.open(root)) {
            StoreTesting.publishVersion(s, "alpine+3.19", "v1");
            assertThat(s.blobs().list()).isNotEmpty();
            s.reset();
            assertThat(s.imageNames()).isEmpty();
            assertThat(s.blobs().list()).isEmpty();
            assertThat(root.resolve("version")).hasContent("chj-1");
            // still usable afterwards
            StoreTesting.publishVersion(s, "alpine+3.19", "v2");
            assertThat(s.imageNames()).containsExactly("alpine:3.19");
        }
    }

    @Test
    void resetIsRefusedWhileAnotherUserHasTheStoreOpen() throws Exception {
        Path root = tmp.resolve("busy");
        try (Storage s = Storage.open(root)) {
            StoreTesting.publishVersion(s, "keep", "v1");
            try (Storage other = Storage.open(root)) {
                assertThatThrownBy(s::reset).hasMessage("storage directory is in use by another process: " + s.root());
            }
            try (StoreChild.Child child = StoreChild.start(root.toString(), "open")) {
                assertThat(child.expectLine(20_000)).isEqualTo("OPEN");
                assertThatThrownBy(s::reset).hasMessageContaining("in use");
                assertThat(s.imageNames()).containsExactly("keep");
                child.kill9();
                s.reset(); // the dead process's shared lock went with it
            }
            assertThat(s.imageNames()).isEmpty();
        }
    }
}
