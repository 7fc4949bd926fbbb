package chj.registry;

import chj.oci.Reference;
import org.junit.jupiter.api.Test;

import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The small parsers and rules the client's robustness rests on. */
class HttpPiecesTest {

    @Test
    void anUntrustedCertificateIsNamedAsSuch() {
        var pkix = new javax.net.ssl.SSLHandshakeException("(certificate_unknown) PKIX path building failed: "
                + "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path "
                + "to requested target");
        pkix.initCause(new java.security.cert.CertificateException("unable to find valid certification path"));
        assertThat(HttpTransport.describe(pkix)).isEqualTo("TLS certificate not trusted ((certificate_unknown) PKIX path "
                + "building failed: unable to find valid certification path to requested target)");
        assertThat(HttpTransport.describe(new javax.net.ssl.SSLHandshakeException("Received fatal alert: handshake_failure")))
                .isEqualTo("Received fatal alert: handshake_failure");
    }

    @Test
    void contentRange() {
        assertThat(ContentRange.parse("bytes 100-199/1000")).isEqualTo(new ContentRange(100, 199, 1000));
        assertThat(ContentRange.parse("bytes 0-9/*")).isEqualTo(new ContentRange(0, 9, -1));
        assertThat(ContentRange.parse("0-9/10")).isEqualTo(new ContentRange(0, 9, 10));
        assertThat(ContentRange.parse("bytes 10-9/100")).isNull();
        assertThat(ContentRange.parse("bytes 0-100/100")).isNull();
        assertThat(ContentRange.parse("bytes */100")).isNull();
        assertThat(ContentRange.parse(null)).isNull();
    }

    @Test
    void retryAfterSecondsOrDate() {
        assertThat(RequestExecutor.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(RequestExecutor.retryAfter("-3")).isEqualTo(Duration.ZERO);
        assertThat(RequestExecutor.retryAfter("soon")).isNull();
        assertThat(RequestExecutor.retryAfter(null)).isNull();
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(60));
        assertThat(RequestExecutor.retryAfter(inAMinute)).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(61));
    }

    @Test
    void backoffGrowsAndIsCapped() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5));
        for (int i = 0; i < 50; i++) {
            assertThat(p.backoff(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(p.backoff(3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(p.backoff(30)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        }
    }

    @Test
    void plainHttpOnlyForLoopbackAndNamedHosts() {
        HttpTransport t = new HttpTransport(RegistryOptions.builder()
                .fromEnvironment(Map.of("CH_IMAGE_INSECURE_REGISTRIES", "reg.lab:5000, build.lab")).build());
        assertThat(t.plainHttpAllowed("127.0.0.1:5000")).isTrue();
        assertThat(t.plainHttpAllowed("127.9.8.7")).isTrue();
        assertThat(t.plainHttpAllowed("localhost:80")).isTrue();
        assertThat(t.plainHttpAllowed("reg.lab:5000")).isTrue();
        assertThat(t.plainHttpAllowed("build.lab:443")).isTrue();
        assertThat(t.plainHttpAllowed("reg.lab:5001")).isFalse();
        assertThat(t.plainHttpAllowed("registry-1.docker.io")).isFalse();
        assertThat(t.plainHttpAllowed("128.0.0.1")).isFalse();
        assertThat(t.plainHttpAllowed("127.0.0.1.evil.example")).isFalse();
        assertThat(t.downgradeRefused(URI.create("https://a.example/x"), URI.create("http://b.example/y"))).isTrue();
        assertThat(t.downgradeRefused(URI.create("https://a.example/x"), URI.create("http://reg.lab:5000/y"))).isFalse();
        assertThat(t.downgradeRefused(URI.create("http://127.0.0.1/x"), URI.create("http://b.example/y"))).isFalse();
        t.close();
    }

    @Test
    void redactionHidesSecretsButKeepsWhatHelps() {
        assertThat(Redact.header("Authorization", "Bearer eyJabc.def")).isEqualTo("Bearer <redacted>");
        assertThat(Redact.header("authorization", "Basic YWxpY2U6cHc=")).isEqualTo("Basic <redacted>");
        assertThat(Redact.header("Set-Cookie", "sid=123")).isEqualTo("<redacted>");
        assertThat(Redact.header("Content-Type", "application/json")).isEqualTo("application/json");
        assertThat(Redact.header("Location", "https://s3.example/b/x?X-Amz-Signature=abc&partNumber=2"))
                .isEqualTo("https://s3.example/b/x?X-Amz-Signature=<redacted>&partNumber=2");
        assertThat(Redact.header("Location", "/v2/x/blobs/uploads/1?_state=s&sig=q")).doesNotContain("q");
        assertThat(Redact.url(URI.create("https://u:p@cdn.example/a?token=t1&Expires=5&se=2030&sv=1")))
                .isEqualTo("https://<redacted>@cdn.example/a?token=<redacted>&Expires=5&se=2030&sv=1");
    }

    @Test
    void dockerHubAliasesGoToTheApiHostWithLibraryPrefix() {
        Map<String, String> env = Map.of();
        assertThat(Endpoint.of(Reference.parse("docker.io/alpine:3", env)))
                .isEqualTo(new Endpoint("registry-1.docker.io", "library/alpine"));
        assertThat(Endpoint.of(Reference.parse("index.docker.io/someone/tool", env)))
                .isEqualTo(new Endpoint("registry-1.docker.io", "someone/tool"));
        assertThat(Endpoint.of(Reference.parse("alpine", env)))
                .isEqualTo(new Endpoint("registry-1.docker.io", "library/alpine"));
        assertThat(Endpoint.of(Reference.parse("reg.example:5000/a/b:t", env)))
                .isEqualTo(new Endpoint("reg.example:5000", "a/b"));
        assertThat(Endpoint.of(Reference.parse("reg.example:443/a", env)).authority()).isEqualTo("reg.example");
    }

    @Test
    void proxiesFromTheEnvironment() {
        var sel = EnvProxySelector.fromEnvironment(Map.of("https_proxy", "http://proxy.site:3128",
                "NO_PROXY", "internal.site,.lab,reg.example:5000"));
        assertThat(sel).isNotNull();
        Proxy p = sel.select(URI.create("https://registry-1.docker.io/v2/")).getFirst();
        assertThat(p.type()).isEqualTo(Proxy.Type.HTTP);
        assertThat(p.address().toString()).contains("proxy.site").contains("3128");
        assertThat(sel.select(URI.create("https://internal.site/v2/")).getFirst()).isEqualTo(Proxy.NO_PROXY);
        assertThat(sel.select(URI.create("https://a.b.lab/v2/")).getFirst()).isEqualTo(Proxy.NO_PROXY);
        assertThat(sel.select(URI.create("https://reg.example:5000/v2/")).getFirst()).isEqualTo(Proxy.NO_PROXY);
        assertThat(sel.select(URI.create("https://reg.example:5001/v2/")).getFirst().type()).isEqualTo(Proxy.Type.HTTP);
        assertThat(sel.select(URI.create("http://127.0.0.1:5000/v2/")).getFirst()).isEqualTo(Proxy.NO_PROXY);
        assertThat(sel.select(URI.create("http://plain.example/v2/")).getFirst()).isEqualTo(Proxy.NO_PROXY);
        assertThat(EnvProxySelector.fromEnvironment(Map.of())).isNull();
    }

    @Test
    void errorBodiesBecomeShortMessages() {
        assertThat(new ErrorBody("MANIFEST_UNKNOWN", "manifest unknown").suffix()).isEqualTo(" (MANIFEST_UNKNOWN: manifest unknown)");
        assertThat(new ErrorBody("", "").suffix()).isEmpty();
    }
}
