package chj.registry;

import chj.oci.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The small rules uploads rest on: scopes, upload-status ranges, session URLs, file slices. */
class UploadPiecesTest {

    @TempDir
    Path tmp;

    @Test
    void scopesFromTheChallengeAreMergedWithOursPerResource() {
        assertThat(Authenticator.mergeScopes("repository:a:pull,push", "repository:a:pull"))
                .isEqualTo("repository:a:pull,push");
        assertThat(Authenticator.mergeScopes("repository:a:pull", "repository:a:push,pull"))
                .isEqualTo("repository:a:pull,push");
        assertThat(Authenticator.mergeScopes("repository:a:pull,push repository:b:pull", "repository:a:pull,push"))
                .isEqualTo("repository:a:pull,push repository:b:pull");
        // a name with host:port splits at the last colon only
        assertThat(Authenticator.mergeScopes("repository:h:5000/x:pull", "repository:h:5000/x:push"))
                .isEqualTo("repository:h:5000/x:pull,push");
        assertThat(Authenticator.mergeScopes(null, "registry:catalog:*")).isEqualTo("registry:catalog:*");
        assertThat(Authenticator.mergeScopes(null, null)).isNull();
    }

    @Test
    void endpointScopesForPushAndMount() {
        Endpoint ep = Endpoint.of(Reference.parse("example.com:5000/team/app:1"));
        assertThat(ep.pushScope()).isEqualTo("repository:team/app:pull,push");
        assertThat(ep.mountScope("team/base")).isEqualTo("repository:team/app:pull,push repository:team/base:pull");
        assertThat(ep.sibling("base")).isEqualTo("base");
        assertThat(Endpoint.of(Reference.parse("docker.io/me/app")).sibling("alpine")).isEqualTo("library/alpine");
    }

    @Test
    void uploadStatusRangeWithOrWithoutUnit() {
        assertThat(UploadSession.heldBytes("0-1048575")).isEqualTo(1048576);
        assertThat(UploadSession.heldBytes("bytes=0-99")).isEqualTo(100);
        assertThat(UploadSession.heldBytes("bytes 0-9")).isEqualTo(10);
        // "0-0" is distribution's answer for an empty session: better to resend a byte than skip one
        assertThat(UploadSession.heldBytes("0-0")).isZero();
        assertThat(UploadSession.heldBytes("0--1")).isZero();
        assertThat(UploadSession.heldBytes(null)).isZero();
        assertThat(UploadSession.heldBytes("garbage")).isZero();
    }

    @Test
    void digestIsAddedToSessionUrlsWithOrWithoutAQuery() {
        assertThat(UploadSession.withQuery(URI.create("http://r/v2/a/blobs/uploads/1"), "digest=sha256:ab"))
                .hasToString("http://r/v2/a/blobs/uploads/1?digest=sha256:ab");
        assertThat(UploadSession.withQuery(URI.create("http://r/v2/a/blobs/uploads/1?_state=xy%3D"), "digest=sha256:ab"))
                .hasToString("http://r/v2/a/blobs/uploads/1?_state=xy%3D&digest=sha256:ab");
        assertThat(UploadSession.withQuery(URI.create("https://s/up?"), "digest=d")).hasToString("https://s/up?digest=d");
    }

    @Test
    void fileSliceSendsExactlyItsRangeAndReportsPositions() throws Exception {
        byte[] content = new byte[300_000];
        for (int i = 0; i < content.length; i++) content[i] = (byte) (i * 31);
        Path f = Files.write(tmp.resolve("f"), content);
        List<Long> positions = new ArrayList<>();
        HttpRequest.BodyPublisher p = FileSlice.publisher(f, 1000, 200_000, positions::add);
        assertThat(p.contentLength()).isEqualTo(200_000);
        byte[] sent = drain(p);
        assertThat(sent).isEqualTo(java.util.Arrays.copyOfRange(content, 1000, 201_000));
        assertThat(positions).isNotEmpty().last().isEqualTo(201_000L);
        // each try reads the file again
        assertThat(drain(FileSlice.publisher(f, 1000, 200_000, n -> {}))).isEqualTo(sent);
        assertThat(FileSlice.publisher(f, 5, 0, n -> {}).contentLength()).isZero();
    }

    private static byte[] drain(Flow.Publisher<ByteBuffer> p) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        CompletableFuture<Void> done = new CompletableFuture<>();
        p.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer b) {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                out.write(a, 0, a.length);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        done.get(10, TimeUnit.SECONDS);
        return out.toByteArray();
    }
}
