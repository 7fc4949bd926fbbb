package chj.registry;

import chj.oci.Digest;
import chj.oci.Reference;
import chj.testing.FaultProxy;
import chj.testing.TestRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against the real loopback registry (Debian's docker-registry, plain HTTP). */
class RegistryClientIT {

    static TestRegistry registry;
    static String repo;
    static TestRegistry.Pushed image;
    static byte[] layer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void push() {
        registry = TestRegistry.local();
        repo = TestRegistry.uniqueRepo("regclient");
        layer = random(3 << 20, 1);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        image = registry.pushImage(repo, "v1", List.of(layer), TestRegistry.OCI_LAYER_GZIP, config);
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static RegistryClient client(RecordingLog log) {
        return new RegistryClient(RegistryOptions.builder().log(log).build());
    }

    @Test
    void manifestByTagIsServedBytesAndByDigestIsVerified() throws Exception {
        RecordingLog log = new RecordingLog();
        try (RegistryClient c = client(log)) {
            FetchedManifest byTag = c.manifest(Reference.parse(registry.ref(repo, "v1")));
            assertThat(byTag.bytes()).isEqualTo(image.manifestBytes());
            assertThat(byTag.digest()).isEqualTo(image.manifest());
            assertThat(byTag.dockerContentDigest()).isEqualTo(image.manifest());
            assertThat(byTag.contentTypeBase()).isEqualTo(TestRegistry.OCI_MANIFEST);

            FetchedManifest byDigest = c.manifest(Reference.parse(registry.ref(repo, image.manifest())));
            assertThat(byDigest.bytes()).isEqualTo(image.manifestBytes());
        }
        // plain HTTP was chosen because the loopback registry does not speak TLS, not assumed
        assertThat(log.all()).contains("does not speak TLS");
    }

    @Test
    void missingTagIsNotFound() {
        try (RegistryClient c = client(new RecordingLog())) {
            String ref = registry.ref(repo, "no-such-tag");
            assertThatThrownBy(() -> c.manifest(Reference.parse(ref)))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessage("not found in registry: " + ref);
        }
    }

    @Test
    void aPlainHttpServerThatIgnoresTheTlsHandshakeIsSpokenToInPlainHttp() throws Exception {
        // The JDK's own HTTP server waits in silence for a request line when it gets a ClientHello.
        com.sun.net.httpserver.HttpServer quiet = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        quiet.createContext("/", x -> {
            try (x) {
                x.sendResponseHeaders(x.getRequestURI().getPath().equals("/v2/") ? 200 : 404, -1);
            }
        });
        quiet.start();
        RecordingLog log = new RecordingLog();
        try (RegistryClient c = client(log)) {
            assertThatThrownBy(() -> c.manifest(Reference.parse("127.0.0.1:" + quiet.getAddress().getPort() + "/x:1")))
                    .isInstanceOf(NotFoundException.class);
        } finally {
            quiet.stop(0);
        }
        assertThat(log.all()).contains("does not answer a TLS handshake; using plain HTTP");
    }

    @Test
    void missingRepositoryIsNotFound() {
        try (RegistryClient c = client(new RecordingLog())) {
            String ref = registry.ref(TestRegistry.uniqueRepo("nothing"), "latest");
            assertThatThrownBy(() -> c.manifest(Reference.parse(ref))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> c.tags(Reference.parse(ref))).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("not found in registry");
        }
    }

    @Test
    void blobDownloadsAndVerifies() throws Exception {
        Path part = tmp.resolve("blob.part");
        AtomicLong last = new AtomicLong();
        try (RegistryClient c = client(new RecordingLog())) {
            c.fetchBlob(Reference.parse(registry.ref(repo, "v1")), image.layers().getFirst(), layer.length, part, last::set);
        }
        assertThat(Files.readAllBytes(part)).isEqualTo(layer);
        assertThat(last.get()).isEqualTo(layer.length);
    }

    @Test
    void missingBlobIsNotFound() {
        Digest absent = Digest.sha256("not pushed".getBytes(StandardCharsets.UTF_8));
        try (RegistryClient c = client(new RecordingLog())) {
            assertThatThrownBy(() -> c.fetchBlob(Reference.parse(registry.ref(repo, "v1")), absent, 10,
                    tmp.resolve("x.part"), null))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("blob " + absent + " not found in registry");
        }
    }

    @Test
    void partialFileFromAnEarlierPullIsResumed() throws Exception {
        Path part = tmp.resolve("resume.part");
        Files.write(part, java.util.Arrays.copyOf(layer, 1_000_000));
        RecordingLog log = new RecordingLog();
        try (RegistryClient c = client(log)) {
            c.fetchBlob(Reference.parse(registry.ref(repo, "v1")), image.layers().getFirst(), layer.length, part, null);
        }
        assertThat(Files.readAllBytes(part)).isEqualTo(layer);
        assertThat(log.all()).contains("resuming at 1000000 bytes").doesNotContain("starting over");
    }

    @Test
    void corruptPartialFileIsDetectedAndDownloadedAgain() throws Exception {
        Path part = tmp.resolve("bad.part");
        byte[] prefix = java.util.Arrays.copyOf(layer, 500_000);
        prefix[1234] ^= 1;
        Files.write(part, prefix);
        RecordingLog log = new RecordingLog();
        try (RegistryClient c = client(log)) {
            c.fetchBlob(Reference.parse(registry.ref(repo, "v1")), image.layers().getFirst(), layer.length, part, null);
        }
        assertThat(Files.readAllBytes(part)).isEqualTo(layer);
        assertThat(log.all()).contains("did not verify; starting over");
    }

    @Test
    void tagListFollowsLinkPagination() throws Exception {
        String tagged = TestRegistry.uniqueRepo("tags");
        Digest config = registry.putBlob(tagged, "{}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = TestRegistry.json(java.util.Map.of("schemaVersion", 2, "mediaType", TestRegistry.OCI_MANIFEST,
                "config", TestRegistry.descriptor(TestRegistry.OCI_CONFIG, config, 2), "layers", List.of()));
        List<String> names = new ArrayList<>(List.of("a", "b", "c", "d", "e"));
        for (String t : names) registry.putManifest(tagged, t, TestRegistry.OCI_MANIFEST, manifest);
        try (FaultProxy proxy = FaultProxy.start(registry.authority()).tagPageSize(2);
             RegistryClient c = client(new RecordingLog())) {
            List<String> tags = c.tags(Reference.parse(proxy.authority() + "/" + tagged));
            assertThat(tags).containsExactlyInAnyOrderElementsOf(names); // the registry's own order
            assertThat(proxy.requests(FaultProxy.Target.TAGS)).hasSizeGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void largeBlobComesInParallelRangeParts() throws Exception {
        Path big = tmp.resolve("big");
        writeRandom(big, 70L << 20, 7);
        Digest d = registry.putBlob(repo, big);
        long size = Files.size(big);
        Path part = tmp.resolve("big.part");
        AtomicLong last = new AtomicLong();
        List<Long> prefixes = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        DownloadListener listener = new DownloadListener() {
            @Override
            public void progressed(long total) {
                last.set(total);
            }

            @Override
            public void written(long length) {
                prefixes.add(length);
                if (length > 0 && !lastByteMatches(part, big, length)) wrong.add("prefix " + length);
            }
        };
        try (FaultProxy proxy = FaultProxy.start(registry.authority());
             RegistryClient c = client(new RecordingLog())) {
            c.fetchBlob(Reference.parse(proxy.authority() + "/" + repo), d, size, part, listener);
            List<String> ranges = proxy.requests(FaultProxy.Target.BLOB).stream().map(s -> s.header("Range")).toList();
            assertThat(ranges).hasSizeGreaterThan(2).doesNotContainNull();
            assertThat(ranges).contains("bytes=0-" + partEnd(size));
        }
        assertThat(TestRegistry.sha256(part)).isEqualTo(d);
        assertThat(Files.size(part)).isEqualTo(size);
        assertThat(last.get()).isEqualTo(size);
        assertThat(RangedDownload.markerFor(part)).doesNotExist();
        // the written prefix only grows, ends at the whole blob, and is on disk when announced
        assertThat(prefixes).isSorted().hasSizeGreaterThan(10).last().isEqualTo(size);
        assertThat(wrong).isEmpty();
    }

    /** Whether the byte before {@code length} in the part file is the source's. */
    private static boolean lastByteMatches(Path part, Path source, long length) {
        try (var a = java.nio.channels.FileChannel.open(part); var b = java.nio.channels.FileChannel.open(source)) {
            java.nio.ByteBuffer x = java.nio.ByteBuffer.allocate(1), y = java.nio.ByteBuffer.allocate(1);
            return a.read(x, length - 1) == 1 && b.read(y, length - 1) == 1 && x.get(0) == y.get(0);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** End of the first part for the default options (4 parts → parts of size/8, at least 8 MiB). */
    private static long partEnd(long size) {
        long partSize = Math.max(RangedDownload.MIN_PART, (size + 7) / 8);
        return partSize - 1;
    }

    @Test
    void killedRangedDownloadResumesWithTheMissingPartsOnly() throws Exception {
        Path big = tmp.resolve("big2");
        writeRandom(big, 66L << 20, 9);
        Digest d = registry.putBlob(repo, big);
        long size = Files.size(big);
        Path part = tmp.resolve("big2.part");
        // two parallel streams over parts of size/4: four parts
        RegistryOptions dieOnFirstFault = RegistryOptions.builder().rangeParts(2)
                .retry(new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO)).build();
        long partSize = Math.max(RangedDownload.MIN_PART, (size + 3) / 4);
        try (FaultProxy proxy = FaultProxy.start(registry.authority())) {
            Reference ref = Reference.parse(proxy.authority() + "/" + repo);
            // three part requests go through, the fourth resets mid-body, and no retry is allowed: the pull dies
            proxy.inject(FaultProxy.Target.BLOB, FaultProxy.PASS, 3)
                    .inject(FaultProxy.Target.BLOB, new FaultProxy.ResetAfter(1 << 20), 1);
            try (RegistryClient c = new RegistryClient(dieOnFirstFault)) {
                assertThatThrownBy(() -> c.fetchBlob(ref, d, size, part, null)).isInstanceOf(RegistryException.class);
            }
            assertThat(RangedDownload.markerFor(part)).exists();

            int before = proxy.requests(FaultProxy.Target.BLOB).size();
            RecordingLog log = new RecordingLog();
            try (RegistryClient c = client(log)) {
                c.fetchBlob(ref, d, size, part, null);
            }
            List<FaultProxy.Seen> all = proxy.requests(FaultProxy.Target.BLOB);
            List<FaultProxy.Seen> second = all.subList(before, all.size());
            assertThat(second).hasSize(1);
            assertThat(second.getFirst().header("Range")).isEqualTo("bytes=" + 3 * partSize + "-" + (size - 1));
            assertThat(log.all()).contains("resuming ranged download, 1 of 4 parts to go");
        }
        assertThat(TestRegistry.sha256(part)).isEqualTo(d);
        assertThat(RangedDownload.markerFor(part)).doesNotExist();
    }

    static void writeRandom(Path file, long size, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += buf.length) {
                r.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, size - done));
            }
        }
    }
}
