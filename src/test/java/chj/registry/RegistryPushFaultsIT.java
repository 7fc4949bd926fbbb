package chj.registry;

import chj.oci.Digest;
import chj.oci.Reference;
import chj.testing.FaultProxy;
import chj.testing.FaultProxy.Seen;
import chj.testing.FaultProxy.Target;
import chj.testing.TestRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One test per upload deviation, through {@link FaultProxy} in front of the real registry: each
 * checks that the blob arrived with the right digest (read back from the registry itself) and,
 * from the proxy's request log, which way it went.
 */
class RegistryPushFaultsIT {

    static final long MIB = 1 << 20;

    final TestRegistry registry = TestRegistry.local();
    final String repo = TestRegistry.uniqueRepo("pushfaults");
    FaultProxy proxy;
    RecordingLog log;
    @TempDir
    Path tmp;

    @BeforeEach
    void startProxy() {
        proxy = FaultProxy.start(registry.authority());
        log = new RecordingLog();
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    Reference ref(String repository) {
        return Reference.parse(proxy.authority() + "/" + repository + ":x");
    }

    RegistryOptions.Builder options() {
        return RegistryOptions.builder().log(log)
                .retry(new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(3)));
    }

    RegistryClient client() {
        return new RegistryClient(options().build());
    }

    static CredentialSource fixed(String user, String password) {
        return (authority, repository) -> Optional.of(new Credential(user, password, "test"));
    }

    Path blob(String name, long size, long seed) throws Exception {
        return Files.write(tmp.resolve(name), RegistryClientIT.random((int) size, seed));
    }

    UploadResult push(RegistryClient c, Path file) throws Exception {
        return push(c, repo, file);
    }

    UploadResult push(RegistryClient c, String repository, Path file) throws Exception {
        return c.pushBlob(ref(repository), TestRegistry.sha256(file), Files.size(file), file, List.of(), null);
    }

    /** The blob is in the repository, read back from the registry directly, byte for byte. */
    void assertStored(String repository, Path file) throws Exception {
        Path back = tmp.resolve(file.getFileName() + ".back");
        try (RegistryClient direct = new RegistryClient(RegistryOptions.builder().build())) {
            direct.fetchBlob(Reference.parse(registry.ref(repository, "x")), TestRegistry.sha256(file), Files.size(file),
                    back, null);
        }
        assertThat(Files.mismatch(back, file)).isEqualTo(-1);
    }

    List<Seen> uploads() {
        return proxy.requests(Target.UPLOAD);
    }

    static boolean singlePost(Seen s) {
        return s.method().equals("POST") && s.target().contains("digest=");
    }

    static boolean putWithBody(Seen s) {
        return s.method().equals("PUT") && !"0".equals(s.header("Content-Length"));
    }

    // --- upload styles

    @Test
    void singlePostIsUsedWhereAcceptedAndRemembered() throws Exception {
        proxy.singlePostStatus(201);
        Path small = blob("small", 100_000, 1);
        Path larger = blob("larger", 2 * MIB, 2);
        try (RegistryClient c = client()) {
            assertThat(push(c, small).method()).isEqualTo(UploadResult.Method.MONOLITHIC);
            // beyond the probe size, yet sent in one POST: the registry showed it takes that
            assertThat(push(c, larger).method()).isEqualTo(UploadResult.Method.MONOLITHIC);
        }
        assertStored(repo, small);
        assertStored(repo, larger);
        assertThat(uploads()).hasSize(2).allMatch(RegistryPushFaultsIT::singlePost).allMatch(s -> s.status() == 201);
        assertThat(uploads().get(1).header("Content-Length")).isEqualTo(Long.toString(2 * MIB));
    }

    @Test
    void refusedSinglePostFallsBackToPostThenPutAndIsNotTriedAgain() throws Exception {
        proxy.singlePostStatus(405);
        Path first = blob("first", 50_000, 3);
        Path second = blob("second", 60_000, 4);
        try (RegistryClient c = client()) {
            assertThat(push(c, first).method()).isEqualTo(UploadResult.Method.POST_PUT);
            assertThat(push(c, second).method()).isEqualTo(UploadResult.Method.POST_PUT);
        }
        assertStored(repo, first);
        assertStored(repo, second);
        assertThat(uploads()).extracting(s -> s.method() + " " + s.status())
                .containsExactly("POST 405", "POST 202", "PUT 201", "POST 202", "PUT 201");
        assertThat(uploads().stream().filter(RegistryPushFaultsIT::singlePost)).hasSize(1);
        assertThat(uploads().get(2).target()).contains("digest=" + TestRegistry.sha256(first));
    }

    @Test
    void registryTakingOnlyChunksGetsPatchesWithContentRange() throws Exception {
        proxy.putBodyStatus(413);
        Path first = blob("first", (long) (2.5 * MIB), 5);
        Path second = blob("second", 300_000, 6);
        try (RegistryClient c = new RegistryClient(options().uploadChunkSize(MIB).build())) {
            assertThat(push(c, first).method()).isEqualTo(UploadResult.Method.CHUNKED);
            assertThat(push(c, second).method()).isEqualTo(UploadResult.Method.CHUNKED);
        }
        assertStored(repo, first);
        assertStored(repo, second);
        List<Seen> patches = uploads().stream().filter(s -> s.method().equals("PATCH")).toList();
        assertThat(patches).extracting(s -> s.header("Content-Range"))
                .containsExactly("0-1048575", "1048576-2097151", "2097152-2621439", "0-299999");
        assertThat(patches).allMatch(s -> "application/octet-stream".equals(s.header("Content-Type")));
        // one PUT with the blob was refused; every other PUT only closes a session
        assertThat(uploads().stream().filter(RegistryPushFaultsIT::putWithBody)).extracting(Seen::status).containsExactly(413);
        assertThat(uploads().stream().filter(s -> s.method().equals("PUT") && s.status() == 201))
                .hasSize(2).allMatch(s -> s.target().contains("digest=sha256:"));
    }

    @Test
    void chunksHonourTheRegistrysMinimumLength() throws Exception {
        proxy.putBodyStatus(413).chunkMinLength(MIB);
        Path file = blob("file", (long) (3.5 * MIB), 7);
        try (RegistryClient c = new RegistryClient(options().uploadChunkSize(256 * 1024).build())) {
            assertThat(push(c, file).method()).isEqualTo(UploadResult.Method.CHUNKED);
        }
        assertStored(repo, file);
        assertThat(uploads().stream().filter(s -> s.method().equals("PATCH"))).extracting(s -> s.header("Content-Length"))
                .containsExactly("1048576", "1048576", "1048576", "524288");
    }

    // --- resuming

    @Test
    void resetMidPatchResumesWhereTheUploadStatusSays() throws Exception {
        proxy.putBodyStatus(413);
        Path file = blob("file", 3 * MIB, 8);
        try (RegistryClient c = new RegistryClient(options().uploadChunkSize(MIB).build())) {
            push(c, blob("teach", 1000, 9)); // learns that this registry takes chunks only
            // next upload: POST, first PATCH, then the second PATCH breaks after 300000 bytes
            proxy.inject(Target.UPLOAD, FaultProxy.PASS, 2).inject(Target.UPLOAD, new FaultProxy.ResetAfter(300_000), 1);
            int before = uploads().size();
            UploadResult r = push(c, file);
            assertThat(r.method()).isEqualTo(UploadResult.Method.CHUNKED);
            assertThat(r.resumes()).isEqualTo(1);
            List<Seen> seen = uploads().subList(before, uploads().size());
            assertThat(seen).extracting(s -> s.method() + " " + s.header("Content-Range") + " " + s.status()).containsExactly(
                    "POST null 202",
                    "PATCH 0-1048575 202",
                    "PATCH 1048576-2097151 0", // reset after 300000 bytes had reached the registry
                    "GET null 204",
                    "PATCH 1348576-2397151 202",
                    "PATCH 2397152-3145727 202",
                    "PUT null 201");
        }
        assertStored(repo, file);
        assertThat(log.all()).contains("registry holds 1348576 bytes, resuming there");
    }

    @Test
    void resetMidPutResumesWithPatches() throws Exception {
        Path file = blob("file", 2 * MIB, 10);
        proxy.inject(Target.UPLOAD, FaultProxy.PASS, 1).inject(Target.UPLOAD, new FaultProxy.ResetAfter(500_000), 1);
        try (RegistryClient c = client()) {
            UploadResult r = push(c, file);
            assertThat(r.method()).isEqualTo(UploadResult.Method.CHUNKED);
            assertThat(r.resumes()).isEqualTo(1);
        }
        assertStored(repo, file);
        assertThat(uploads()).extracting(s -> s.method() + " " + s.header("Content-Range") + " " + s.status())
                .containsExactly("POST null 202", "PUT null 0", "GET null 204", "PATCH 500000-2097151 202", "PUT null 201");
    }

    @Test
    void uploadSessionGoneAfterAFailureStartsANewOne() throws Exception {
        Path file = blob("file", 2 * MIB, 11);
        proxy.inject(Target.UPLOAD, FaultProxy.PASS, 1).inject(Target.UPLOAD, new FaultProxy.ResetAfter(500_000), 1)
                .inject(Target.UPLOAD, FaultProxy.status(404), 1); // the status request: session unknown
        try (RegistryClient c = client()) {
            UploadResult r = push(c, file);
            assertThat(r.method()).isEqualTo(UploadResult.Method.POST_PUT);
            assertThat(r.resumes()).isEqualTo(1);
        }
        assertStored(repo, file);
        assertThat(uploads()).extracting(s -> s.method() + " " + s.status())
                .containsExactly("POST 202", "PUT 0", "GET 404", "POST 202", "PUT 201");
        assertThat(log.all()).contains("starting a new upload");
    }

    @Test
    void serverErrorOnAChunkAsksTheStatusAndGoesOn() throws Exception {
        proxy.putBodyStatus(413);
        Path file = blob("file", 2 * MIB, 12);
        try (RegistryClient c = new RegistryClient(options().uploadChunkSize(MIB).build())) {
            push(c, blob("teach", 1000, 13));
            proxy.inject(Target.UPLOAD, FaultProxy.PASS, 2).inject(Target.UPLOAD, FaultProxy.status(503), 1);
            int before = uploads().size();
            assertThat(push(c, file).resumes()).isEqualTo(1);
            assertThat(uploads().subList(before, uploads().size()))
                    .extracting(s -> s.method() + " " + s.header("Content-Range") + " " + s.status()).containsExactly(
                            "POST null 202", "PATCH 0-1048575 202", "PATCH 1048576-2097151 503", "GET null 204",
                            "PATCH 1048576-2097151 202", "PUT null 201");
        }
        assertStored(repo, file);
    }

    // --- authentication

    @Test
    void tokenExpiringMidUploadIsRenewedAndTheChunkSentAgain() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, "alice", "pw").putBodyStatus(413);
        Path file = blob("file", 3 * MIB, 14);
        try (RegistryClient c = new RegistryClient(options().credentials(fixed("alice", "pw")).uploadChunkSize(MIB).build())) {
            push(c, blob("teach", 1000, 15));
            int tokens = proxy.tokenRequests().size();
            proxy.inject(Target.UPLOAD, FaultProxy.PASS, 2).inject(Target.UPLOAD, new FaultProxy.ExpireToken(), 1);
            int before = uploads().size();
            UploadResult r = push(c, file);
            assertThat(r.method()).isEqualTo(UploadResult.Method.CHUNKED);
            assertThat(r.resumes()).isZero(); // a new token, not a recovery
            assertThat(proxy.tokenRequests()).hasSize(tokens + 1);
            assertThat(proxy.tokenRequests().getLast().target()).contains("scope=repository%3A" + repo + "%3Apull%2Cpush");
            assertThat(uploads().subList(before, uploads().size()))
                    .extracting(s -> s.method() + " " + s.header("Content-Range") + " " + s.status()).containsExactly(
                            "POST null 202", "PATCH 0-1048575 202", "PATCH 1048576-2097151 401",
                            "PATCH 1048576-2097151 202", "PATCH 2097152-3145727 202", "PUT null 201");
        }
        assertStored(repo, file);
    }

    @Test
    void bearerPushAsksForPushScopeAndAMountAlsoForPullOnItsSource() throws Exception {
        String source = TestRegistry.uniqueRepo("pushfaults-src");
        Path file = blob("file", 400_000, 16);
        registry.putBlob(source, file);
        proxy.auth(FaultProxy.Auth.BEARER, "alice", "pw");
        try (RegistryClient c = new RegistryClient(options().credentials(fixed("alice", "pw")).build())) {
            UploadResult r = c.pushBlob(ref(repo), TestRegistry.sha256(file), Files.size(file), file, List.of(source), null);
            assertThat(r.method()).isEqualTo(UploadResult.Method.MOUNTED);
            assertThat(r.mountedFrom()).isEqualTo(source);
        }
        assertStored(repo, file);
        assertThat(proxy.tokenRequests()).extracting(Seen::target)
                .anyMatch(t -> t.contains("scope=repository%3A" + repo + "%3Apull%2Cpush")
                        && t.contains("scope=repository%3A" + source + "%3Apull"));
        assertThat(uploads()).filteredOn(s -> s.status() == 201)
                .singleElement().satisfies(s -> assertThat(s.target()).contains("mount=").contains("from=" + source));
    }

    @Test
    void basicAuthPushSendsCredentialsOnEveryRequest() throws Exception {
        proxy.auth(FaultProxy.Auth.BASIC, "bob", "pw");
        Path file = blob("file", 600_000, 17);
        try (RegistryClient c = new RegistryClient(options().credentials(fixed("bob", "pw")).build())) {
            assertThat(push(c, file).method()).isEqualTo(UploadResult.Method.POST_PUT);
            byte[] manifest = TestRegistry.json(Map.of("schemaVersion", 2, "mediaType", TestRegistry.OCI_MANIFEST,
                    "config", TestRegistry.descriptor(TestRegistry.OCI_CONFIG, TestRegistry.sha256(file), Files.size(file)),
                    "layers", List.of()));
            assertThat(c.pushManifest(ref(repo), "v1", TestRegistry.OCI_MANIFEST, manifest)).isEqualTo(Digest.sha256(manifest));
        }
        assertStored(repo, file);
        assertThat(proxy.requests()).filteredOn(s -> s.status() != 401).isNotEmpty()
                .allMatch(s -> s.header("Authorization") != null && s.header("Authorization").startsWith("Basic "));
    }

    @Test
    void refusedBasicCredentialsAreAnAuthenticationFailure() throws Exception {
        proxy.auth(FaultProxy.Auth.BASIC, "bob", "pw");
        Path file = blob("file", 1000, 18);
        try (RegistryClient c = new RegistryClient(options().credentials(fixed("bob", "wrong")).build())) {
            assertThatThrownBy(() -> push(c, file))
                    .isInstanceOf(AuthException.class)
                    .hasMessageStartingWith("authentication failed for " + proxy.authority() + ": credentials of bob (from test) refused");
        }
    }

    @Test
    void pushWithoutCredentialsWhereTheRegistryWantsThemSaysSoWithAHint() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, "alice", "pw"); // no anonymous tokens
        Path file = blob("file", 1000, 19);
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> push(c, file))
                    .isInstanceOf(AuthException.class)
                    .hasMessageStartingWith("authentication failed for " + proxy.authority() + ": pushing to " + repo
                            + " needs credentials, and none were found")
                    .satisfies(e -> assertThat(((RegistryException) e).hint()).contains("CH_IMAGE_USERNAME").contains("--auth"));
        }
        // the HEAD's 401 counted as "absent"; the refusal came from the upload itself
        assertThat(proxy.requests(Target.BLOB)).extracting(Seen::method).containsOnly("HEAD");
        assertThat(uploads()).isNotEmpty().allMatch(s -> s.status() == 401);
    }

    @Test
    void unauthorizedHeadForAMissingBlobMeansAbsent() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, null, null).missingStatus(401);
        Path file = blob("file", 1000, 20);
        try (RegistryClient c = client()) {
            assertThat(push(c, file).transferred()).isTrue();
        }
        assertStored(repo, file);
        assertThat(proxy.requests(Target.BLOB)).extracting(Seen::status).endsWith(401);
    }

    @Test
    void uploadSessionOnAnotherHostNeverGetsOurAuthorization() throws Exception {
        proxy.auth(FaultProxy.Auth.BEARER, null, null).uploadsElsewhere(true);
        Path file = blob("file", 2 * MIB, 21);
        try (RegistryClient c = client()) {
            assertThat(push(c, file).method()).isEqualTo(UploadResult.Method.POST_PUT);
        }
        assertStored(repo, file);
        assertThat(uploads()).filteredOn(s -> s.method().equals("POST") && s.status() == 202)
                .singleElement().satisfies(s -> assertThat(s.header("Authorization")).startsWith("Bearer "));
        assertThat(proxy.storageRequests()).extracting(Seen::method).containsExactly("PUT");
        assertThat(proxy.storageRequests()).allMatch(s -> s.header("Authorization") == null)
                .allMatch(s -> s.header("Host").startsWith("localhost:"));
    }

    // --- manifests

    @Test
    void manifestStoredUnderAnotherDigestIsReported() throws Exception {
        Digest other = Digest.sha256(new byte[] {42});
        proxy.inject(Target.MANIFEST, new FaultProxy.Status(201, Map.of("Docker-Content-Digest", other.toString())), 1);
        byte[] manifest = "{\"schemaVersion\":2}".getBytes();
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> c.pushManifest(ref(repo), "v1", TestRegistry.OCI_MANIFEST, manifest))
                    .isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining("expected " + Digest.sha256(manifest) + ", got " + other);
        }
        Seen put = proxy.requests(Target.MANIFEST).getFirst();
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.header("Content-Type")).isEqualTo(TestRegistry.OCI_MANIFEST);
    }
}
