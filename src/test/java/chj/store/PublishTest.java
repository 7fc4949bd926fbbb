package chj.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try") // locks and stores held for a block
class PublishTest {

    @TempDir
    Path tmp;
    Storage store;

    @BeforeEach
    void open() throws StoreException {
        store = Storage.open(tmp.resolve("store"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void publishNewAndReplace() throws Exception {
        StoreTesting.publishVersion(store, "alpine+3.19", "one");
        Path img = store.imageDir("alpine+3.19");
        assertThat(StoreTesting.versionOf(img)).isEqualTo("one");
        StoreTesting.publishVersion(store, "alpine+3.19", "two");
        assertThat(StoreTesting.versionOf(img)).isEqualTo("two");
        assertThat(Layout.list(store.root().resolve("tmp"))).isEmpty();
        assertThat(Layout.list(store.root().resolve("trash"))).isEmpty();
        assertThat(store.imageExists("alpine+3.19")).isTrue();
    }

    @Test
    void publishNeedsTheLockAndAStagedDirectory() throws Exception {
        try (StagingDir staging = store.newStagingDir("pull")) {
            ImageLock lock = store.lockImage("x");
            lock.close();
            assertThatThrownBy(() -> store.publishImage(lock, staging.dir())).isInstanceOf(IllegalStateException.class);
            try (ImageLock l = store.lockImage("x")) {
                Path outside = Files.createDirectory(tmp.resolve("outside"));
                assertThatThrownBy(() -> store.publishImage(l, outside))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tmp/");
                assertThatThrownBy(() -> store.publishImage(l, store.root().resolve("tmp/../img")))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            try (Storage other = Storage.open(store.root()); ImageLock foreign = other.lockImage("z")) {
                assertThatThrownBy(() -> store.publishImage(foreign, staging.dir())).isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Test
    void badNamesAreRefused() {
        for (String bad : List.of("", "a/b", ".hidden", "..", "x".repeat(251)))
            assertThatThrownBy(() -> store.imageDir(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.imageDir("quay.io%foo%bar+1.0")).isEqualTo(store.root().resolve("img/quay.io%foo%bar+1.0"));
    }

    @Test
    void namesAndDelete() throws Exception {
        StoreTesting.publishVersion(store, "quay.io%foo%bar+1.0", "a");
        StoreTesting.publishVersion(store, "alpine+3.19", "b");
        StoreTesting.publishVersion(store, "localhost+5000%x", "c");
        assertThat(store.imageNames()).containsExactly("alpine:3.19", "localhost:5000/x", "quay.io/foo/bar:1.0");
        assertThat(store.deleteImage("alpine+3.19")).isTrue();
        assertThat(store.deleteImage("alpine+3.19")).isFalse();
        assertThat(store.imageDir("alpine+3.19")).doesNotExist();
        assertThat(store.imageNames()).containsExactly("localhost:5000/x", "quay.io/foo/bar:1.0");
        assertThat(Layout.list(store.root().resolve("trash"))).isEmpty();
    }

    @Test
    void deleteRemovesUnwritableDirectories() throws Exception {
        StoreTesting.publishVersion(store, "ro", "a");
        Path img = store.imageDir("ro");
        Path locked = Files.createDirectories(img.resolve("usr/locked"));
        Files.writeString(locked.resolve("f"), "x");
        Files.setPosixFilePermissions(locked, Set.of());
        assertThat(store.deleteImage("ro")).isTrue();
        assertThat(img).doesNotExist();
        assertThat(Layout.list(store.root().resolve("trash"))).isEmpty();
    }

    /**
     * A reader (as ch-run would be) keeps looking at the image while it is replaced again and again:
     * the name always resolves, and a version read twice the same around a full read means every
     * file came from that version.
     */
    @Test
    void readersNeverSeeAHalfImage() throws Exception {
        // Without RENAME_EXCHANGE (NFS, Lustre) there is a moment with no image by that name; the
        // content a reader does see must still be whole.
        Path a = Files.createDirectory(store.root().resolve("tmp/probe-a"));
        Path b = Files.createDirectory(store.root().resolve("tmp/probe-b"));
        boolean exchanges = AtomicExchange.exchange(a, b);
        Files.delete(a);
        Files.delete(b);
        String name = "busy+latest";
        StoreTesting.publishVersion(store, name, "v0");
        Path img = store.imageDir(name);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        AtomicInteger consistentReads = new AtomicInteger();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                while (!stop.get()) {
                    String before = Files.readString(img.resolve("ch/version"));
                    String during;
                    try {
                        during = StoreTesting.versionOf(img);
                    } catch (AssertionError straddled) {
                        during = null; // files from two versions: fine only if a publish happened meanwhile
                    }
                    String after = Files.readString(img.resolve("ch/version"));
                    if (before.equals(after)) {
                        if (!before.equals(during)) throw new AssertionError("half image: " + before + " vs " + during);
                        consistentReads.incrementAndGet();
                    }
                    seen.add(before);
                }
            } catch (NoSuchFileException e) {
                if (exchanges) readerFailure.set(new AssertionError("image name vanished during publish: " + e.getMessage()));
            } catch (Throwable t) {
                readerFailure.set(t);
            }
        });
        int last = 0;
        // until the reader has overlapped with publishes (a loaded machine may schedule it late)
        while (last < 60 || (seen.size() < 2 && last < 2000)) StoreTesting.publishVersion(store, name, "v" + ++last);
        stop.set(true);
        reader.join(10_000);
        if (readerFailure.get() != null) throw new AssertionError(readerFailure.get());
        assertThat(consistentReads.get()).isPositive();
        assertThat(seen.size()).isGreaterThan(1); // the reader really overlapped with publishes
        assertThat(StoreTesting.versionOf(img)).isEqualTo("v" + last);
    }

    @Test
    void eightThreadsPublishingSameAndDifferentImages() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        StoreTesting.publishVersion(store, "same", "t" + id + "-" + i);
                        StoreTesting.publishVersion(store, "own" + (id % 4), "t" + id + "-" + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) f.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertConsistent(List.of("own0", "own1", "own2", "own3", "same"));
    }

    /** As eight `ch-image pull`s in separate processes would: all succeed, the store is consistent. */
    @Test
    void processesPublishingConcurrently() throws Exception {
        List<StoreChild.Child> children = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++)
                children.add(StoreChild.start(store.root().toString(), "publish", i % 2 == 0 ? "same" : "other" + i, "4"));
            for (int i = 0; i < 4; i++) StoreTesting.publishVersion(store, "same", "parent-" + i);
            for (StoreChild.Child c : children) {
                assertThat(c.expectLine(60_000)).isEqualTo("DONE");
                assertThat(c.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(c.process.exitValue()).isZero();
            }
        } finally {
            for (StoreChild.Child c : children) c.close();
        }
        assertConsistent(List.of("other1", "other3", "same"));
    }

    private void assertConsistent(List<String> names) throws IOException, StoreException {
        assertThat(store.imageNames()).containsExactlyElementsOf(names);
        for (String n : names) StoreTesting.versionOf(store.imageDir(n));
        assertThat(Layout.list(store.root().resolve("tmp"))).isEmpty();
        assertThat(Layout.list(store.root().resolve("trash"))).isEmpty();
        assertThat(Layout.list(store.root().resolve("blobs/partial"))).isEmpty();
        assertThat(Layout.list(store.root().resolve("locks/staging"))).isEmpty();
        for (var d : store.blobs().list()) store.blobs().readSmall(d); // every cached blob verifies
    }
}
