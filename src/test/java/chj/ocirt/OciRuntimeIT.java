package chj.ocirt;

import static org.assertj.core.api.Assertions.assertThat;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ch-run-oci's operations as Buildah calls them, driven by hand as the unprivileged test user,
 * against a busybox directory: the life cycle, kill and delete in each state, concurrent
 * containers, and the refusals. (The pid-file process's exit status needs a subreaper to see;
 * BuildahIT checks it through Buildah.)
 */
class OciRuntimeIT {
    static Path work, rootfs, state;

    @BeforeAll
    static void setUp() {
        work = TestEnv.userDir("chj-oci-it-");
        rootfs = OciFixture.busyboxRootfs(work.resolve("rootfs"));
        state = work.resolve("state");
    }

    @AfterAll
    static void stateIsEmptyAfterwards() throws Exception {
        try (var s = Files.list(state)) {
            assertThat(s.toList()).as("every container deleted, nothing left").isEmpty();
        }
        TestEnv.run(List.of("rm", "-rf", work.toString()));
    }

    static Result oci(String... args) {
        List<String> cmd = new ArrayList<>(List.of(OciFixture.chRunOci(), "--root", state.toString()));
        cmd.addAll(List.of(args));
        return TestEnv.runAsUser(cmd);
    }

    /** create, with the container's stdio in files (the pid-file process keeps them open, as Buildah's pipes). */
    static Result create(Path bundle, String id) {
        String sh = "cd \"$1\" && exec \"$2\" --root \"$3\" create --bundle \"$1\" --pid-file \"$1/pid\" \"$4\" "
                + "</dev/null >\"$1/out\" 2>\"$1/err\"";
        Result r = TestEnv.runAsUser(List.of("/bin/sh", "-c", sh, "sh", bundle.toString(), OciFixture.chRunOci(),
                state.toString(), id));
        return new Result(r.exit(), OciFixture.read(bundle.resolve("out")), OciFixture.read(bundle.resolve("err")));
    }

    static Path bundle(String name, int uid, List<String> args) {
        Path b = work.resolve(name);
        TestEnv.runAsUser(List.of("mkdir", b.toString()));
        return OciFixture.bundle(b, rootfs, uid, List.of("PATH=/bin", "GREETING=hello 'world'", "EMPTY="), "/tmp", args);
    }

    static final Pattern STATUS = Pattern.compile("\"status\":\"([a-z]+)\",\"pid\":([0-9]+)}");

    /** status and pid from {@code state}. */
    static String[] state(String id) {
        Result r = oci("state", id);
        assertThat(r.exit()).as(r.toString()).isZero();
        Matcher m = STATUS.matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        return new String[]{m.group(1), m.group(2)};
    }

    static boolean stopped(String id) {
        return state(id)[0].equals("stopped");
    }

    @Test
    void lifeCycleAsBuildahDrivesIt() {
        Path b = bundle("life", 0, List.of("/bin/sh", "-c",
                "echo \"$GREETING|$EMPTY|$(pwd)|$(id -u)|$HOME|$(cat /etc/hostname)\"; echo to-stderr >&2; touch /made"));
        Result c = create(b, "life-1");
        assertThat(c.exit()).as(c.toString()).isZero();
        String pid = OciFixture.read(b.resolve("pid"));
        String[] s = state("life-1");
        assertThat(s).containsExactly("created", pid);
        assertThat(Path.of("/proc", pid)).exists();
        assertThat(rootfs.resolve("made")).as("nothing runs before start").doesNotExist();
        Result st = oci("state", "life-1");
        assertThat(parse(st.out())).containsEntry("ociVersion", "1.0.2-dev").containsEntry("id", "life-1")
                .containsEntry("bundle", b.toString()).containsKey("created");

        Result start = oci("start", "life-1");
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(state("life-1")[0]).as("never 'created' after start: Buildah calls that an error")
                .isIn("running", "stopped");
        assertThat(OciFixture.await(120, () -> stopped("life-1"))).isTrue();
        assertThat(state("life-1")[1]).isEqualTo("0");
        assertThat(OciFixture.read(b.resolve("out"))).isEqualTo("hello 'world'||/tmp|0|/root|oci-test-host\n");
        assertThat(OciFixture.read(b.resolve("err"))).isEqualTo("to-stderr\n");
        assertThat(rootfs.resolve("made")).as("uid 0 under root emulation writes the image").exists();

        Result again = oci("start", "life-1");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("cannot start container life-1: it is stopped, not created");
        assertThat(oci("kill", "life-1", "KILL").err()).contains("cannot kill container life-1: it is stopped");
        Result del = oci("delete", "life-1");
        assertThat(del.exit()).as(del.toString()).isZero();
        assertThat(state.resolve("life-1")).doesNotExist();
        Result gone = oci("state", "life-1");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).startsWith("ch-run-oci: error: container life-1 does not exist");
    }

    @Test
    void killReachesTheProcessInEachLiveState() {
        Path b = bundle("kill", 65534, List.of("/bin/sleep", "300"));
        assertThat(create(b, "kill-created").exit()).isZero();
        Result k = oci("kill", "kill-created");   // SIGTERM by default, as runc
        assertThat(k.exit()).as(k.toString()).isZero();
        assertThat(OciFixture.await(10, () -> stopped("kill-created"))).isTrue();

        Path b2 = bundle("kill2", 65534, List.of("/bin/sleep", "300"));
        assertThat(create(b2, "kill-running").exit()).isZero();
        assertThat(oci("start", "kill-running").exit()).isZero();
        assertThat(state("kill-running")[0]).isEqualTo("running");
        Result refused = oci("delete", "kill-running");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("it is running").contains("hint: kill it first, or delete --force");
        assertThat(oci("kill", "kill-running", "NOSUCHSIG").err()).contains("kill: unknown signal: NOSUCHSIG");
        Result kill = oci("kill", "kill-running", "SIGKILL");   // Buildah's form: the signal as a plain argument
        assertThat(kill.exit()).as(kill.toString()).isZero();
        assertThat(OciFixture.await(10, () -> stopped("kill-running"))).isTrue();
        assertThat(oci("delete", "kill-created").exit()).isZero();
        assertThat(oci("delete", "kill-running").exit()).isZero();

        Path b3 = bundle("kill3", 0, List.of("/bin/sleep", "300"));
        assertThat(create(b3, "delete-created").exit()).isZero();
        String pid = state("delete-created")[1];
        assertThat(oci("delete", "delete-created").exit()).as("a created container may be deleted, as with runc").isZero();
        assertThat(OciFixture.await(10, () -> !isLive(pid))).as("its process is gone").isTrue();
        Path b4 = bundle("kill4", 0, List.of("/bin/sleep", "300"));
        assertThat(create(b4, "delete-forced").exit()).isZero();
        assertThat(oci("start", "delete-forced").exit()).isZero();
        assertThat(oci("delete", "--force", "delete-forced").exit()).isZero();
        assertThat(state.resolve("delete-forced")).doesNotExist();
    }

    /** Whether the process runs (a zombie, waiting for its reaper, does not). */
    static boolean isLive(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Several containers at once, each watched by a tight {@code state} loop: the first "stopped"
     * must come after the command has written its output. (A thread other than the leader execs
     * the command, and the old leader shows as a zombie for a moment: that is not "stopped".)
     */
    @Test
    void containersAtOnceKeepToThemselves() throws Exception {
        int n = 4;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Result>> creates = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Path b = bundle("many" + i, 0, List.of("/bin/sh", "-c", "echo I am " + i + " in $(cat /etc/hostname)"));
                OciFixture.write(b.resolve("hostname"), "host-" + i + "\n");
                String id = "many-" + i;
                creates.add(pool.submit(() -> create(b, id)));
            }
            for (Future<Result> f : creates) assertThat(f.get().exit()).as(f.get().toString()).isZero();
            List<Future<Result>> watchers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = "many-" + i;
                Path b = work.resolve("many" + i);
                String sh = "\"$1\" --root \"$2\" start \"$3\" || exit 1\n"
                        + "while :; do s=$(\"$1\" --root \"$2\" state \"$3\") || exit 1\n"
                        + "  case $s in *'\"stopped\"'*) break ;; esac\ndone\ncat \"$4/out\" \"$4/err\"\n";
                watchers.add(pool.submit(() -> TestEnv.runAsUser(List.of("/bin/sh", "-c", sh, "sh",
                        OciFixture.chRunOci(), state.toString(), id, b.toString()))));
            }
            for (int i = 0; i < n; i++) {
                Result w = watchers.get(i).get();
                assertThat(w.exit()).as(w.toString()).isZero();
                assertThat(w.out()).as("output when state first said stopped").isEqualTo("I am " + i + " in host-" + i + "\n");
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < n; i++) assertThat(oci("delete", "many-" + i).exit()).isZero();
    }

    @Test
    void refusalsLeaveNoState() {
        Path b = bundle("dup", 0, List.of("/bin/true"));
        assertThat(create(b, "dup").exit()).isZero();
        Result dup = create(b, "dup");
        assertThat(dup.exit()).isEqualTo(1);
        assertThat(dup.err()).contains("ch-run-oci: error: container dup already exists");
        assertThat(oci("delete", "dup").exit()).isZero();

        Path t = work.resolve("tty");
        TestEnv.runAsUser(List.of("mkdir", t.toString()));
        OciFixture.write(t.resolve("config.json"), "{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":true,"
                + "\"args\":[\"sh\"],\"cwd\":\"/\"},\"root\":{\"path\":\"" + rootfs + "\"}}");
        Result tty = create(t, "tty");
        assertThat(tty.exit()).isEqualTo(1);
        assertThat(tty.err()).contains("process.terminal").contains("hint: run buildah with stdin not a terminal");
        assertThat(state.resolve("tty")).doesNotExist();
        assertThat(t.resolve("pid")).doesNotExist();

        Result sock = oci("create", "--bundle", b.toString(), "--console-socket", "/tmp/x.sock", "sock");
        assertThat(sock.exit()).isEqualTo(1);
        assertThat(sock.err()).contains("--console-socket");
        assertThat(oci("state", "../etc").err()).contains("invalid container id: ../etc");
        assertThat(oci("frobnicate").err()).contains("unknown command: frobnicate");
        assertThat(oci("--systemd-cgroup", "--debug", "state", "nope").err())
                .contains("--systemd-cgroup ignored: chj creates no cgroups").contains("container nope does not exist");
    }

    @Test
    void featuresAndVersion() {
        Result f = oci("features");
        assertThat(f.exit()).as(f.toString()).isZero();
        assertThat(parse(f.out())).containsEntry("ociVersionMin", "1.0.0").containsKey("linux");
        Result v = oci("--version");
        assertThat(v.out()).startsWith("ch-run-oci version ").contains("spec: 1.2.0");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String json) {
        try {
            return (Map<String, Object>) Json.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
