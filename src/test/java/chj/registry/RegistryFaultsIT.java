package chj.registry;

import chj.oci.Digest;
import chj.oci.Reference;
import chj.testing.FaultProxy;
import chj.testing.FaultProxy.Target;
import chj.testing.TestRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One test per registry deviation the client must handle, each through {@link FaultProxy} in front
 * of the real registry, asserting what a user would observe.
 */
class RegistryFaultsIT {

    static TestRegistry registry;
    static String repo;
    static TestRegistry.Pushed image;
    static byte[] layer;

    FaultProxy proxy;
    RecordingLog log;
    @TempDir
    Path tmp;

    @BeforeAll
    static void push() {
        registry = TestRegistry.local();
        repo = TestRegistry.uniqueRepo("faults");
        layer = RegistryClientIT.random(2 << 20, 3);
        image = registry.pushImage(repo, "v1", List.of(layer), TestRegistry.OCI_LAYER_GZIP,
                "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void startProxy() {
        proxy = FaultProxy.start(registry.authority());
        log = new RecordingLog();
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private Reference ref(String tag) {
        return Reference.parse(proxy.authority() + "/" + repo + ":" + tag);
    }

    private RegistryOptions.Builder options() {
        return RegistryOptions.builder().log(log)
                .retry(new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(3)));
    }

    private RegistryClient client() {
        return new RegistryClient(options().build());
    }

    private static CredentialSource fixed(String user, String password) {
        return (authority, repository) -> Optional.of(new Credential(user, password, "test"));
    }

    /** Downloads the image's layer through the proxy and checks the bytes. */
    private void pullLayer(RegistryClient c) throws Exception {
        Path part = tmp.resolve("layer.part");
        c.fetchBlob(ref("v1"), image.layers().getFirst(), layer.length, part, null);
        assertThat(Files.readAllBytes(part)).isEqualTo(layer);
    }

    // --- authentication

    @Test
    void anonymousBearerTokenIsFetchedOnceAndReused() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, null, null);
        try (RegistryClient c = client()) {
            assertThat(c.manifest(ref("v1")).bytes()).isEqualTo(image.manifestBytes());
            pullLayer(c);
            c.manifest(ref("v1"));
        }
        assertThat(proxy.tokenRequests()).hasSize(1);
        FaultProxy.Seen token = proxy.tokenRequests().getFirst();
        assertThat(token.target()).contains("service=fault-proxy").contains("scope=repository%3A" + repo + "%3Apull");
        assertThat(token.header("Authorization")).isNull();
        // one 401 to learn the scheme; every later request carried the token up front
        assertThat(proxy.requests().stream().filter(s -> s.status() == 401)).hasSize(1);
    }

    @Test
    void tokenServiceErrorsAreRetried() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, null, null).inject(Target.TOKEN, FaultProxy.status(503), 2);
        try (RegistryClient c = client()) {
            assertThat(c.manifest(ref("v1")).digest()).isEqualTo(image.manifest());
        }
        assertThat(proxy.tokenRequests()).hasSize(3);
    }

    @Test
    void accessTokenFieldIsAccepted() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, null, null).tokenField("access_token");
        try (RegistryClient c = client()) {
            assertThat(c.manifest(ref("v1")).digest()).isEqualTo(image.manifest());
        }
    }

    @Test
    void bearerTokenWithCredentialsAndNoSecretInTheLog() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, "alice", "s3cr3t-pw");
        try (RegistryClient c = new RegistryClient(options().credentials(fixed("alice", "s3cr3t-pw")).build())) {
            c.manifest(ref("v1"));
            pullLayer(c);
        }
        String basic = Base64.getEncoder().encodeToString("alice:s3cr3t-pw".getBytes(StandardCharsets.UTF_8));
        assertThat(proxy.tokenRequests().getFirst().header("Authorization")).isEqualTo("Basic " + basic);
        String token = proxy.requests().stream().map(s -> s.header("Authorization"))
                .filter(a -> a != null && a.startsWith("Bearer ")).findFirst().orElseThrow().substring(7);
        assertThat(log.all()).contains("Authorization: Bearer <redacted>")
                .doesNotContain("s3cr3t-pw").doesNotContain(basic).doesNotContain(token);
    }

    @Test
    void refusedCredentialsAreAnAuthenticationFailure() {
        proxy.auth(FaultProxy.Auth.BEARER, "alice", "right");
        try (RegistryClient c = new RegistryClient(options().credentials(fixed("alice", "wrong")).build())) {
            assertThatThrownBy(() -> c.manifest(ref("v1")))
                    .isInstanceOf(AuthException.class)
                    .hasMessageStartingWith("authentication failed for " + proxy.authority())
                    .hasMessageContaining("user alice");
        }
    }

    @Test
    void registryThatNeedsLoginSaysNotFoundWithAuthHintWhenAnonymous() {
        proxy.auth(FaultProxy.Auth.BEARER, "alice", "right");
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.manifest(ref("v1")))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageStartingWith("not found in registry: " + ref("v1"))
                    .satisfies(e -> assertThat(((RegistryException) e).hint()).contains("--auth"));
        }
    }

    @Test
    void basicAuthSendsCredentialsAndReportsRefusedOnes() throws Exception {
        proxy.auth(FaultProxy.Auth.BASIC, "bob", "pw");
        try (RegistryClient c = new RegistryClient(options().credentials(fixed("bob", "pw")).build())) {
            assertThat(c.manifest(ref("v1")).digest()).isEqualTo(image.manifest());
            pullLayer(c);
        }
        try (RegistryClient c = new RegistryClient(options().credentials(fixed("bob", "nope")).build())) {
            assertThatThrownBy(() -> c.manifest(ref("v1")))
                    .isInstanceOf(AuthException.class)
                    .hasMessageStartingWith("authentication failed for " + proxy.authority());
        }
    }

    @Test
    void identityTokenIsExchangedByOAuthPost() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, "nobody", "refresh-me");
        try (RegistryClient c = new RegistryClient(options().credentials(fixed(Credential.IDENTITY_TOKEN_USER, "refresh-me")).build())) {
            assertThat(c.manifest(ref("v1")).digest()).isEqualTo(image.manifest());
        }
        assertThat(proxy.tokenRequests()).extracting(FaultProxy.Seen::method).containsExactly("POST");
        assertThat(proxy.tokenBodies().getFirst()).contains("grant_type=refresh_token").contains("service=fault-proxy");
        assertThat(log.all()).doesNotContain("refresh-me");
    }

    @Test
    void parallelDownloadsFromOneClientShareOneToken() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, null, null);
        List<byte[]> layers = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) layers.add(RegistryClientIT.random(300_000 + i, 100 + i));
        TestRegistry.Pushed many = registry.pushImage(repo, "many", layers, TestRegistry.OCI_LAYER_GZIP, "{}".getBytes());
        try (RegistryClient c = client();
             var pool = java.util.concurrent.Executors.newFixedThreadPool(6)) {
            List<java.util.concurrent.Future<byte[]>> results = new java.util.ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                Digest d = many.layers().get(i);
                long size = layers.get(i).length;
                Path part = tmp.resolve("p" + i);
                results.add(pool.submit(() -> {
                    c.fetchBlob(ref("many"), d, size, part, null);
                    return Files.readAllBytes(part);
                }));
            }
            for (int i = 0; i < layers.size(); i++) assertThat(results.get(i).get()).isEqualTo(layers.get(i));
        }
        assertThat(proxy.tokenRequests()).hasSize(1);
    }

    // --- "not found" in disguise

    @Test
    void unauthorizedForMissingTagMeansNotFound() {
        proxy.auth(FaultProxy.Auth.BEARER, null, null).missingStatus(401);
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.manifest(ref("absent")))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageStartingWith("not found in registry: " + ref("absent"));
            Digest missing = Digest.sha256(new byte[] {1});
            assertThatThrownBy(() -> c.fetchBlob(ref("v1"), missing, 1, tmp.resolve("m.part"), null))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("blob " + missing + " not found in registry");
        }
    }

    @Test
    void badRequestForMissingTagMeansNotFound() {
        proxy.missingStatus(400);
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.manifest(ref("absent")))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageStartingWith("not found in registry: " + ref("absent"))
                    .hasMessageContaining("NAME_UNKNOWN");
        }
    }

    // --- framing and headers

    @Test
    void chunkedBodies() throws Exception {
        proxy.framing(FaultProxy.Framing.CHUNKED);
        try (RegistryClient c = client()) {
            assertThat(c.manifest(ref("v1")).bytes()).isEqualTo(image.manifestBytes());
            pullLayer(c);
        }
    }

    @Test
    void bodiesWithoutContentLength() throws Exception {
        proxy.framing(FaultProxy.Framing.CLOSE_DELIMITED);
        try (RegistryClient c = client()) {
            assertThat(c.manifest(ref("v1")).bytes()).isEqualTo(image.manifestBytes());
            pullLayer(c);
        }
    }

    @Test
    void wrongManifestContentTypeIsReportedAsServedAndBytesAreIntact() throws Exception {
        proxy.manifestContentType("text/plain; charset=utf-8");
        try (RegistryClient c = client()) {
            FetchedManifest m = c.manifest(ref("v1"));
            assertThat(m.contentType()).isEqualTo("text/plain; charset=utf-8");
            assertThat(m.bytes()).isEqualTo(image.manifestBytes());
            assertThat(m.digest()).isEqualTo(image.manifest());
        }
    }

    // --- redirects

    @Test
    void blobRedirectToAnotherHostNeverCarriesAuthorization() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, null, null).redirectBlobs(true);
        try (RegistryClient c = client()) {
            pullLayer(c);
        }
        // the registry saw our token on the blob request, the storage host did not
        assertThat(proxy.requests(Target.BLOB)).anyMatch(s -> s.status() == 307 && s.header("Authorization") != null);
        assertThat(proxy.storageRequests()).isNotEmpty()
                .allMatch(s -> s.header("Authorization") == null)
                .allMatch(s -> s.header("Host").startsWith("localhost:"));
        String signature = proxy.storageRequests().getFirst().target().replaceAll(".*X-Amz-Signature=([^&]*).*", "$1");
        assertThat(log.all()).contains("X-Amz-Signature=<redacted>").doesNotContain(signature);
    }

    // --- rate limits and server errors

    @Test
    void tooManyRequestsHonoursRetryAfter() throws Exception {
        proxy.inject(Target.MANIFEST, FaultProxy.tooManyRequests(1), 1);
        long start = System.nanoTime();
        try (RegistryClient c = client()) {
            assertThat(c.manifest(ref("v1")).digest()).isEqualTo(image.manifest());
        }
        assertThat(proxy.requests(Target.MANIFEST)).extracting(FaultProxy.Seen::status).containsExactly(429, 200);
        // the retry back-off is 10-50 ms; only Retry-After explains waiting a second
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void retryAfterBeyondTheLimitFailsAtOnce() {
        proxy.inject(Target.MANIFEST, FaultProxy.tooManyRequests(3600), 1);
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.manifest(ref("v1")))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("too many requests (429)").hasMessageContaining("3600 s");
        }
        assertThat(proxy.requests(Target.MANIFEST)).hasSize(1);
    }

    @Test
    void serverErrorsAreRetriedWithBackoff() throws Exception {
        proxy.inject(Target.MANIFEST, FaultProxy.status(503), 2).inject(Target.BLOB, FaultProxy.status(500), 2);
        try (RegistryClient c = client()) {
            assertThat(c.manifest(ref("v1")).digest()).isEqualTo(image.manifest());
            pullLayer(c);
        }
        assertThat(proxy.requests(Target.MANIFEST)).extracting(FaultProxy.Seen::status).containsExactly(503, 503, 200);
        assertThat(proxy.requests(Target.BLOB)).extracting(FaultProxy.Seen::status).containsExactly(500, 500, 200);
    }

    @Test
    void persistentServerErrorsGiveUpWithAClearMessage() {
        proxy.inject(Target.MANIFEST, FaultProxy.status(502), 10);
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.manifest(ref("v1")))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("server error 502").hasMessageContaining("gave up after 4 tries");
        }
    }

    // --- broken transfers

    @Test
    void connectionResetMidBodyResumesWithRange() throws Exception {
        proxy.inject(Target.BLOB, new FaultProxy.ResetAfter(700_000), 1);
        try (RegistryClient c = client()) {
            pullLayer(c);
        }
        List<FaultProxy.Seen> blobs = proxy.requests(Target.BLOB);
        assertThat(blobs).hasSize(2);
        assertThat(blobs.get(0).header("Range")).isNull();
        // A reset may discard bytes still in flight to us, so the client resumes from what it got:
        // somewhere after the start and not past the reset.
        String range = blobs.get(1).header("Range");
        assertThat(range).matches("bytes=[0-9]+-");
        long from = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
        assertThat(from).isPositive().isLessThanOrEqualTo(700_000);
    }

    @Test
    void stalledBodyTimesOutAndResumes() throws Exception {
        proxy.inject(Target.BLOB, new FaultProxy.StallAfter(300_000, Duration.ofSeconds(4)), 1);
        try (RegistryClient c = new RegistryClient(options().readTimeout(Duration.ofMillis(700)).build())) {
            pullLayer(c);
        }
        assertThat(proxy.requests(Target.BLOB).get(1).header("Range")).isEqualTo("bytes=300000-");
        assertThat(log.all()).contains("timed out");
    }

    @Test
    void registryWithoutRangeSupportRestartsFromTheStart() throws Exception {
        proxy.ignoreRange(true).inject(Target.BLOB, new FaultProxy.ResetAfter(500_000), 1);
        try (RegistryClient c = client()) {
            pullLayer(c);
        }
        assertThat(log.all()).contains("no Range support); starting over");
    }

    // --- integrity

    @Test
    void corruptBlobIsRejectedNamingBothDigestsAndNothingIsKept() throws Exception {
        proxy.corruptByte(Target.BLOB, 12345);
        byte[] corrupted = layer.clone();
        corrupted[12345] ^= 0x55;
        Digest actual = Digest.sha256(corrupted);
        Digest expected = image.layers().getFirst();
        Path part = tmp.resolve("layer.part");
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.fetchBlob(ref("v1"), expected, layer.length, part, null))
                    .isInstanceOf(DigestMismatchException.class)
                    .hasMessage("blob " + expected + ": digest mismatch: expected " + expected + ", got " + actual);
        }
        assertThat(Files.size(part)).isZero();
        assertThat(tmp.resolve("layer")).doesNotExist();
    }

    @Test
    void corruptManifestFetchedByDigestIsRejected() {
        proxy.corruptByte(Target.MANIFEST, 5);
        Reference byDigest = Reference.parse(proxy.authority() + "/" + repo + "@" + image.manifest());
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.manifest(byDigest))
                    .isInstanceOf(DigestMismatchException.class)
                    .hasMessageStartingWith("manifest " + proxy.authority() + "/" + repo + "@" + image.manifest()
                            + ": digest mismatch: expected " + image.manifest() + ", got sha256:");
        }
    }
}
