package chj.image;

import chj.Log;
import chj.oci.Reference;
import chj.registry.RegistryClient;
import chj.registry.RegistryException;
import chj.registry.RegistryLog;
import chj.registry.RegistryOptions;
import chj.registry.RetryPolicy;
import chj.store.Storage;
import chj.testing.FaultProxy;
import chj.testing.TarBuilder;
import chj.testing.TestImages;
import chj.testing.TestRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A layer unpacks while it downloads, and what it unpacks is the verified blob whatever the download went through. */
class StreamingPullIT {

    static TestRegistry reg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void registry() {
        reg = TestRegistry.local();
    }

    /** "first" leads the tar, then 3 MB that gzip can't shrink, then "last". */
    static TarBuilder layer() {
        byte[] noise = new byte[3 << 20];
        new SplittableRandom(11).nextBytes(noise);
        return new TarBuilder().file("first", "early\n").file("noise", noise).file("last", "late\n");
    }

    static String push(String name) {
        String repo = TestRegistry.uniqueRepo(name);
        TestImages.push(reg, repo, "v1", "amd64", null, List.of("PATH=/bin"), List.of(TestImages.gzip(layer())));
        return repo;
    }

    static final class Lines implements RegistryLog {
        final ConcurrentLinkedQueue<String> all = new ConcurrentLinkedQueue<>();

        @Override
        public boolean enabled(Level level) {
            return true;
        }

        @Override
        public void log(Level level, String message) {
            all.add(message);
        }
    }

    Puller.Result pull(Storage store, RegistryOptions options, String ref) throws Exception {
        try (RegistryClient client = new RegistryClient(options)) {
            return new Puller(store, client, Log.SILENT, TransferProgress.NONE)
                    .pull(Reference.parse(ref), Reference.parse("pulled"), Puller.Options.defaults());
        }
    }

    static Optional<Path> find(Path dir, String name) throws Exception {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().equals(name)).findFirst();
        }
    }

    @Test
    void theLayerUnpacksWhileItsDownloadStalls() throws Exception {
        String repo = push("stream");
        try (FaultProxy proxy = FaultProxy.start(reg.authority()); Storage store = Storage.open(tmp.resolve("store"))) {
            // the config blob passes; the layer stops after 1 MB for 3 s, then the connection closes (and is resumed)
            proxy.inject(FaultProxy.Target.BLOB, FaultProxy.PASS, 1)
                    .inject(FaultProxy.Target.BLOB, new FaultProxy.StallAfter(1 << 20, Duration.ofSeconds(3)), 1);
            RegistryOptions options = RegistryOptions.builder().log(new Lines()).build();
            CompletableFuture<Puller.Result> pulling = CompletableFuture.supplyAsync(() -> {
                try {
                    return pull(store, options, proxy.authority() + "/" + repo + ":v1");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Optional<Path> early = Optional.empty();
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3); early.isEmpty() && !pulling.isDone()
                    && System.nanoTime() < end; Thread.sleep(20))
                early = find(tmp.resolve("store/tmp"), "first");
            assertThat(pulling).as("the pull is still downloading").isNotDone();
            assertThat(early).as("the layer's first file is unpacked before its download ends").isPresent();
            assertThat(pulling.get(60, TimeUnit.SECONDS).layers()).isEqualTo(1);
        }
        Path root = tmp.resolve("store/img/pulled");
        assertThat(Files.readString(root.resolve("first"), StandardCharsets.UTF_8)).isEqualTo("early\n");
        assertThat(Files.size(root.resolve("noise"))).isEqualTo(3 << 20);
        assertThat(Files.readString(root.resolve("last"), StandardCharsets.UTF_8)).isEqualTo("late\n");
    }

    @Test
    void aDownloadThatStartsOverStillUnpacksTheVerifiedBlob() throws Exception {
        String repo = push("restart");
        Lines lines = new Lines();
        try (FaultProxy proxy = FaultProxy.start(reg.authority()).ignoreRange(true);
             Storage store = Storage.open(tmp.resolve("store"))) {
            // reset after 2 MB; the retry's Range is dropped, so the registry sends everything again
            proxy.inject(FaultProxy.Target.BLOB, FaultProxy.PASS, 1)
                    .inject(FaultProxy.Target.BLOB, new FaultProxy.ResetAfter(2 << 20), 1);
            pull(store, RegistryOptions.builder().log(lines).build(), proxy.authority() + "/" + repo + ":v1");
        }
        assertThat(lines.all).anyMatch(l -> l.contains("starting over"));
        Path root = tmp.resolve("store/img/pulled");
        assertThat(Files.readString(root.resolve("last"), StandardCharsets.UTF_8)).isEqualTo("late\n");
        assertThat(Files.size(root.resolve("noise"))).isEqualTo(3 << 20);
    }

    @Test
    void aFailedDownloadFailsThePullWithItsOwnErrorAndLeavesNoImage() throws Exception {
        String repo = push("fail");
        try (FaultProxy proxy = FaultProxy.start(reg.authority()); Storage store = Storage.open(tmp.resolve("store"))) {
            proxy.inject(FaultProxy.Target.BLOB, FaultProxy.PASS, 1)
                    .inject(FaultProxy.Target.BLOB, new FaultProxy.ResetAfter(1 << 20), 1);
            RegistryOptions once = RegistryOptions.builder().log(new Lines())
                    .retry(new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO)).build();
            assertThatThrownBy(() -> pull(store, once, proxy.authority() + "/" + repo + ":v1"))
                    .isInstanceOf(RegistryException.class).hasMessageContaining("cannot download blob");
        }
        assertThat(tmp.resolve("store/img/pulled")).doesNotExist();
        try (Stream<Path> left = Files.list(tmp.resolve("store/tmp"))) {
            assertThat(left).isEmpty();
        }
    }
}
