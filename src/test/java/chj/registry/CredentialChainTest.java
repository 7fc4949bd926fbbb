package chj.registry;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The credential chain against temporary home directories and a fake credential helper. */
class CredentialChainTest {

    @TempDir
    Path home;
    Path bin;
    Map<String, String> env;
    RecordingLog log = new RecordingLog();

    @BeforeEach
    void setUp() throws Exception {
        bin = Files.createDirectories(home.resolve("bin"));
        env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("PATH", bin + ":/usr/bin:/bin");
        // A helper that knows one registry and logs what it was asked, like docker-credential-pass & co.
        Path helper = bin.resolve("docker-credential-test");
        Files.writeString(helper, """
                #!/bin/sh
                [ "$1" = get ] || exit 2
                read -r url
                echo "$url" >> "$HOME/helper-asked"
                case "$url" in
                    helped.example|https://index.docker.io/v1/)
                        printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}\\n' "$url" ;;
                    *) echo "credentials not found in native keychain"; exit 1 ;;
                esac
                """);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Optional<Credential> find(String authority, String repository) throws RegistryException {
        return CredentialChain.standard(env, log).find(authority, repository);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private void dockerConfig(String json) throws Exception {
        Files.createDirectories(home.resolve(".docker"));
        Files.writeString(home.resolve(".docker/config.json"), json);
    }

    @Test
    void nothingConfiguredMeansNoCredentials() throws Exception {
        assertThat(find("reg.example", "a/b")).isEmpty();
    }

    @Test
    void environmentVariablesComeFirst() throws Exception {
        dockerConfig("{\"auths\":{\"reg.example\":{\"auth\":\"" + b64("docker:pw") + "\"}}}");
        env.put("CH_IMAGE_USERNAME", "envuser");
        env.put("CH_IMAGE_PASSWORD", "envpw");
        Credential c = find("reg.example", "a").orElseThrow();
        assertThat(c.username()).isEqualTo("envuser");
        assertThat(c.secret()).isEqualTo("envpw");
        assertThat(c.toString()).doesNotContain("envpw");
    }

    @Test
    void dockerAuthsWithBase64AndPortAndPasswordContainingColons() throws Exception {
        dockerConfig("{\"auths\":{\"reg.example:5000\":{\"auth\":\"" + b64("alice:pa:ss") + "\"},"
                + "\"https://other.example/v2/\":{\"username\":\"bob\",\"password\":\"bpw\"}}}");
        Credential c = find("reg.example:5000", "x").orElseThrow();
        assertThat(c.username()).isEqualTo("alice");
        assertThat(c.secret()).isEqualTo("pa:ss");
        assertThat(find("reg.example", "x")).isEmpty(); // another port is another registry
        assertThat(find("other.example", "x").orElseThrow().username()).isEqualTo("bob");
        assertThat(find("other.example:443", "x").orElseThrow().username()).isEqualTo("bob");
    }

    @Test
    void dockerHubKeyMatchesTheApiHost() throws Exception {
        dockerConfig("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hubuser:hubpw") + "\"}}}");
        assertThat(find("registry-1.docker.io", "library/alpine").orElseThrow().username()).isEqualTo("hubuser");
    }

    @Test
    void credHelperForOneHostAndCredsStoreForAll() throws Exception {
        env.put("DOCKER_CONFIG", home.resolve("dc").toString());
        Files.createDirectories(home.resolve("dc"));
        Files.writeString(home.resolve("dc/config.json"), "{\"credHelpers\":{\"helped.example\":\"test\"},"
                + "\"auths\":{\"plain.example\":{\"auth\":\"" + b64("p:q") + "\"}}}");
        Credential c = find("helped.example", "x").orElseThrow();
        assertThat(c.username()).isEqualTo("helper-user");
        assertThat(c.secret()).isEqualTo("helper-secret");
        assertThat(c.origin()).isEqualTo("docker-credential-test");
        assertThat(find("plain.example", "x").orElseThrow().username()).isEqualTo("p");

        Files.writeString(home.resolve("dc/config.json"), "{\"credsStore\":\"test\",\"auths\":{\"https://index.docker.io/v1/\":{}}}");
        assertThat(find("registry-1.docker.io", "library/x").orElseThrow().username()).isEqualTo("helper-user");
        assertThat(find("unknown.example", "x")).isEmpty();
        assertThat(Files.readAllLines(home.resolve("helper-asked")))
                .containsExactly("helped.example", "https://index.docker.io/v1/", "unknown.example");
    }

    @Test
    void missingHelperFallsThroughToTheNextSource() throws Exception {
        dockerConfig("{\"credsStore\":\"osxkeychain\",\"auths\":{\"reg.example\":{}}}");
        Files.writeString(home.resolve(".netrc"), "machine reg.example login n password npw\n");
        assertThat(find("reg.example", "x").orElseThrow().username()).isEqualTo("n");
        assertThat(log.all()).contains("docker-credential-osxkeychain not found on PATH");
    }

    @Test
    void containersAuthJsonPrefersTheLongestRepositoryPath() throws Exception {
        Path f = home.resolve(".config/containers/auth.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"auths\":{\"quay.example\":{\"auth\":\"" + b64("host:h") + "\"},"
                + "\"quay.example/org\":{\"auth\":\"" + b64("org:o") + "\"},"
                + "\"quay.example/org/special\":{\"auth\":\"" + b64("special:s") + "\"}}}");
        assertThat(find("quay.example", "org/special").orElseThrow().username()).isEqualTo("special");
        assertThat(find("quay.example", "org/other").orElseThrow().username()).isEqualTo("org");
        assertThat(find("quay.example", "organic/x").orElseThrow().username()).isEqualTo("host");
    }

    @Test
    void registryAuthFileAndXdgRuntimeDirComeBeforeTheHomeFile() throws Exception {
        Path home = this.home.resolve(".config/containers/auth.json");
        Files.createDirectories(home.getParent());
        Files.writeString(home, "{\"auths\":{\"r.example\":{\"auth\":\"" + b64("homefile:x") + "\"}}}");
        Path runtime = this.home.resolve("run");
        Files.createDirectories(runtime.resolve("containers"));
        Files.writeString(runtime.resolve("containers/auth.json"), "{\"auths\":{\"r.example\":{\"auth\":\"" + b64("runtime:x") + "\"}}}");
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        assertThat(find("r.example", "a").orElseThrow().username()).isEqualTo("runtime");
        Path explicit = this.home.resolve("explicit.json");
        Files.writeString(explicit, "{\"auths\":{\"r.example\":{\"auth\":\"" + b64("explicit:x") + "\"}}}");
        env.put("REGISTRY_AUTH_FILE", explicit.toString());
        assertThat(find("r.example", "a").orElseThrow().username()).isEqualTo("explicit");
    }

    @Test
    void netrcMachineDefaultQuotesAndMacros() throws Exception {
        Files.writeString(home.resolve(".netrc"), """
                # comment
                machine other.example login o password op
                macdef init
                cd /pub
                machine evil.example login no password no

                machine reg.example
                    login "user name" password "p w\\"x"
                default login anon password anonpw
                """);
        Credential c = find("reg.example:5000", "x").orElseThrow();
        assertThat(c.username()).isEqualTo("user name");
        assertThat(c.secret()).isEqualTo("p w\"x");
        assertThat(find("evil.example", "x").orElseThrow().username()).isEqualTo("anon"); // inside the macro: not an entry
        assertThat(find("elsewhere.example", "x").orElseThrow().username()).isEqualTo("anon");
    }

    @Test
    void identityTokensAreKeptAsSuch() throws Exception {
        dockerConfig("{\"auths\":{\"acr.example\":{\"auth\":\"" + b64("00000000-0000-0000-0000-000000000000:") + "\","
                + "\"identitytoken\":\"refresh-me\"}}}");
        Credential c = find("acr.example", "x").orElseThrow();
        assertThat(c.isIdentityToken()).isTrue();
        assertThat(c.secret()).isEqualTo("refresh-me");
    }

    @Test
    void brokenConfigIsAClearErrorWithoutItsContent() throws Exception {
        dockerConfig("{\"auths\":{\"r.example\":{\"auth\":\"c2VjcmV0OnNlY3JldA==\"}} oops");
        try {
            find("r.example", "x");
            throw new AssertionError("no exception");
        } catch (RegistryException e) {
            assertThat(e.getMessage()).contains(".docker/config.json").doesNotContain("c2VjcmV0");
        }
    }
}
