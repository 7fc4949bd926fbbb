package chj.ocirt;

import static org.assertj.core.api.Assertions.assertThat;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import chj.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's Buildah building with chj as its OCI runtime: {@code buildah bud --isolation=oci
 * --runtime=bin/ch-run-oci} of Dockerfiles FROM a busybox image in the loopback registry, then the
 * committed images checked through {@code buildah run} (chj again) and by pulling with ch-image.
 *
 * <p>Buildah runs as the unprivileged test user (rootless Buildah: its own user namespace from
 * /etc/subuid, vfs storage), which is how it is used on clusters. Where rootless Buildah cannot
 * start (no subordinate ids) and the suite runs as root, it runs as root instead; ch-run-oci and
 * ch-run still do the work, unprivileged in their own user namespace. {@link #mode} says which.
 * Buildah's network: the host's ({@code --network=host}) or none; its private network needs
 * slirp4netns or CNI set-up that the test machine may not have, and runc fails the same way there.
 */
class BuildahIT {
    static Path work, storage, runroot, stateRoot, runtimeLog;
    static boolean rootless;
    static String mode, base;

    @BeforeAll
    static void setUp() {
        work = TestEnv.userDir("chj-buildah-it-");
        // Traversable by all: as root, ch-run-oci's state is root's, and root inside ch-run's user
        // namespace has no privilege over the test user's private directory.
        TestEnv.run(List.of("chmod", "755", work.toString()));
        storage = work.resolve("storage");
        runroot = work.resolve("runroot");
        stateRoot = work.resolve("oci-state");
        runtimeLog = work.resolve("runtime.log");
        base = OciFixture.pushBusybox(TestRegistry.local(), TestRegistry.uniqueRepo("ocirt-busybox"));
        Result probe = TestEnv.runAsUser(List.of("buildah", "unshare", "true"), env(), work, null);
        rootless = probe.exit() == 0;
        if (!rootless && !TestEnv.isRoot())
            throw new IllegalStateException("rootless Buildah does not work for this user: " + probe);
        mode = rootless ? "rootless Buildah as " + (TestEnv.isRoot() ? TestEnv.testUser() : "this user")
                : "Buildah as root (rootless Buildah refused: " + probe.err().strip() + ")";
        System.out.println("BuildahIT: " + mode);
    }

    @AfterAll
    static void cleanUp() {
        // Rootless storage holds files of subordinate ids: remove it from inside Buildah's namespace.
        if (rootless) TestEnv.runAsUser(List.of("buildah", "unshare", "rm", "-rf", storage.toString(), runroot.toString()),
                env(), work, null);
        TestEnv.run(List.of("rm", "-rf", work.toString()));
    }

    static Map<String, String> env() {
        return Map.of("STORAGE_DRIVER", "vfs", "BUILDAH_ISOLATION", "oci");
    }

    /** buildah with the test's storage, as the test user (or root, see the class comment); stdin is /dev/null. */
    static Result buildah(String... args) {
        List<String> cmd = new ArrayList<>(List.of("buildah", "--root", storage.toString(), "--runroot", runroot.toString()));
        cmd.addAll(List.of(args));
        return rootless ? TestEnv.runAsUser(cmd, env(), work, new byte[0]) : TestEnv.run(cmd, env(), work, new byte[0]);
    }

    /** Options that make Buildah run its steps with chj, telling ch-run-oci where its state and log go. */
    static List<String> runtime() {
        return List.of("--isolation=oci", "--runtime=" + OciFixture.chRunOci(), "--runtime-flag=root=" + stateRoot,
                "--runtime-flag=log=" + runtimeLog, "--runtime-flag=debug");
    }

    static Result bud(String tag, String dockerfile, String... extra) {
        Path ctx = work.resolve("ctx-" + tag);
        TestEnv.run(List.of("mkdir", "-p", ctx.toString()));
        OciFixture.write(ctx.resolve("Dockerfile"), dockerfile);
        List<String> args = new ArrayList<>(List.of("bud", "--tls-verify=false", "--layers=false"));
        args.addAll(runtime());
        args.addAll(List.of(extra));
        args.addAll(List.of("-t", tag, ctx.toString()));
        return buildah(args.toArray(String[]::new));
    }

    static final String MAIN = """
            FROM %s
            ENV GREETING="hello world" QUOTED="'single'"
            WORKDIR /work
            RUN echo "$GREETING|$QUOTED|$(pwd)|$(id -u)" > /work/root-step && mkdir -m 1777 /work/shared
            RUN test "$HOME" = /root && test "$(cat /etc/hostname)" != "" && echo home-ok > /work/home
            USER nobody
            RUN echo "$(id -u):$(id -g)|$(pwd)" > /work/shared/by-nobody && echo "step as $(id -un)"
            """;

    static final String OFFLINE = """
            FROM %s
            RUN grep -c : /proc/net/dev > /netdevs && echo b > /b
            RUN test "$(cat /b)" = b
            """;

    @Test
    void twoBuildsAtOnceThenTheImagesHoldWhatTheStepsWrote() throws Exception {
        CompletableFuture<Result> main = CompletableFuture.supplyAsync(() -> bud("ocirt-main", MAIN.formatted(base), "--network=host"));
        CompletableFuture<Result> offline = CompletableFuture.supplyAsync(() -> bud("ocirt-offline", OFFLINE.formatted(base), "--network=none"));
        Result m = main.get(), o = offline.get();
        assertThat(m.exit()).as(mode + "\n" + m).isZero();
        assertThat(o.exit()).as(mode + "\n" + o).isZero();
        assertThat(m.out()).contains("step as nobody");
        try (var s = Files.list(stateRoot)) {
            assertThat(s.toList()).as("delete leaves no trace").isEmpty();
        }
        assertThat(OciFixture.read(runtimeLog)).as("--log and --debug as Buildah passes them")
                .contains("level=debug msg=\"linux.seccomp ignored: ").contains("level=debug msg=\"deleted buildah-");

        // The committed image, pushed to the registry and pulled with chj.
        String pushed = TestEnv.registry() + "/" + TestRegistry.uniqueRepo("ocirt-built") + ":latest";
        Result push = buildah("push", "--tls-verify=false", "localhost/ocirt-main", "docker://" + pushed);
        assertThat(push.exit()).as(push.toString()).isZero();
        Path store = TestEnv.userDir("chj-buildah-store-");
        Result pull = TestEnv.run(List.of(TestEnv.bin("ch-image"), "-s", store.toString(), "pull", pushed));
        assertThat(pull.exit()).as(pull.toString()).isZero();
        Path img = store.resolve("img").resolve(pushed.replace('/', '%').replace(':', '+'));
        assertThat(OciFixture.read(img.resolve("work/root-step"))).isEqualTo("hello world|'single'|/work|0\n");
        assertThat(OciFixture.read(img.resolve("work/home"))).isEqualTo("home-ok\n");
        assertThat(OciFixture.read(img.resolve("work/shared/by-nobody"))).isEqualTo("65534:65534|/work\n");
        assertThat(img.resolve("bin/busybox")).exists();
        assertThat(img.resolve("netdevs")).as("the other build's files stay in the other image").doesNotExist();
        TestEnv.run(List.of("rm", "-rf", store.toString()));

        // The other image, through buildah run (with chj too): a private network namespace with only lo.
        Result from = buildah("from", "--pull=false", "localhost/ocirt-offline");
        assertThat(from.exit()).as(from.toString()).isZero();
        String ctr = from.out().strip();
        List<String> run = new ArrayList<>(List.of("run"));
        run.addAll(runtime());
        run.addAll(List.of("--network=none", ctr, "--", "/bin/sh", "-c", "cat /netdevs /b; grep -c : /proc/net/dev; exit 5"));
        Result r = buildah(run.toArray(String[]::new));
        assertThat(r.out()).isEqualTo("1\nb\n1\n");
        assertThat(r.exit()).as("buildah run passes the command's exit status on: " + r).isEqualTo(5);
        assertThat(buildah("rm", ctr).exit()).isZero();
    }

    @Test
    void aFailingStepFailsTheBuildWithItsExitStatus() throws Exception {
        Result r = bud("ocirt-fail", """
                FROM %s
                RUN echo before the failure; exit 42
                RUN echo never
                """.formatted(base), "--network=host");
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.out()).contains("before the failure").doesNotContain("never");
        assertThat(r.err()).contains("exit status 42");
        try (var s = Files.list(stateRoot)) {
            assertThat(s.toList()).isEmpty();
        }
    }
}
