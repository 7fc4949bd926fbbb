package chj.image;

import chj.testing.TarBuilder;
import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real registry (docker-registry) over TLS on loopback, with a self-signed certificate, as sites
 * run them: the certificate is refused unless --tls-no-verify says otherwise, and then push and
 * pull work over HTTPS.
 */
class TlsRegistryIT {

    static Path dir;
    static Process registry;
    static String authority;

    @BeforeAll
    static void startTlsRegistry() throws Exception {
        dir = Files.createTempDirectory("chj-tls-registry-");
        Result cert = TestEnv.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString()));
        assertThat(cert.exit()).as(cert.toString()).isZero();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        authority = "127.0.0.1:" + port;
        Files.writeString(dir.resolve("registry.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                  tls:
                    certificate: %s
                    key: %s
                """.formatted(dir.resolve("storage"), authority, dir.resolve("cert.pem"), dir.resolve("key.pem")));
        registry = new ProcessBuilder("docker-registry", "serve", dir.resolve("registry.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        for (int i = 0; ; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException e) {
                if (i > 100 || !registry.isAlive())
                    throw new IllegalStateException("TLS registry did not start: " + Files.readString(dir.resolve("registry.log")));
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.destroy();
            registry.waitFor();
        }
        TestEnv.run(List.of("rm", "-rf", dir.toString()));
    }

    static Result chImage(Path store, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestEnv.bin("ch-image"), "-s", store.toString()));
        cmd.addAll(List.of(args));
        return TestEnv.run(cmd);
    }

    @Test
    void selfSignedCertificateIsRefusedUnlessToldAndThenPushAndPullWork() throws Exception {
        Path work = Files.createTempDirectory(dir, "work-");
        Path tar = work.resolve("tree.tar");
        Files.write(tar, new TarBuilder().dir("etc").file("etc/motd", "over TLS\n").bytes());
        Path store = work.resolve("store");
        Result imported = chImage(store, "import", tar.toString(), "local");
        assertThat(imported.exit()).as(imported.toString()).isZero();

        String ref = authority + "/tls/image:1";
        Result refused = chImage(store, "push", "local", ref);
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("--tls-no-verify");

        Result pushed = chImage(store, "push", "--tls-no-verify", "local", ref);
        assertThat(pushed.exit()).as(pushed.toString()).isZero();

        Result refusedPull = chImage(work.resolve("store2"), "pull", ref, "back");
        assertThat(refusedPull.exit()).as(refusedPull.toString()).isEqualTo(1);
        assertThat(refusedPull.err()).contains("TLS certificate not trusted").contains("--tls-no-verify");

        Result pulled = chImage(work.resolve("store2"), "-v", "pull", "--tls-no-verify", ref, "back");
        assertThat(pulled.exit()).as(pulled.toString()).isZero();
        assertThat(pulled.err()).contains("speaks HTTPS");
        assertThat(Files.readString(work.resolve("store2/img/back/etc/motd"), StandardCharsets.UTF_8)).isEqualTo("over TLS\n");
    }
}
