package chj.ocirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchPlanTest {

    @TempDir
    Path tmp;

    final Fixtures.RecordingLog log = new Fixtures.RecordingLog();

    LaunchPlan plan(Path bundle) throws Exception {
        BundleConfig c = BundleConfig.parse(Files.readAllBytes(bundle.resolve("config.json")));
        return LaunchPlan.of(c, bundle, "/chj/bin/ch-run", Path.of("/state/ctr/env"), false, log);
    }

    LaunchPlan plan(String json) throws Exception {
        Files.createDirectories(tmp.resolve("rootfs"));
        Files.writeString(tmp.resolve("config.json"), json);
        return plan(tmp);
    }

    @Test
    void rootStepRunsWithRootEmulationAndBuildahsBinds() throws Exception {
        Path b = Fixtures.bundle(tmp.resolve("b"), Fixtures.ROOT);
        LaunchPlan p = plan(b);
        assertThat(p.argv()).containsExactly("/chj/bin/ch-run", "--no-passwd", "-w", "--seccomp", "--cd=/probe",
                "--bind=" + b + "/hosts:/etc/hosts", "--bind=" + b + "/hostname:/etc/hostname",
                "--bind=" + b + "/resolv.conf:/etc/resolv.conf", "--bind=" + b + "/run/.containerenv:/run/.containerenv",
                "--private-tmp", "--unset-env=*", "--env-no-expand", "--set-env0=/state/ctr/env",
                b + "/mnt/rootfs", "--", "/bin/sh", "-c",
                "echo \"first run step\" > /probe/first && id && cat /proc/self/uid_map");
        assertThat(p.env()).as("quoted for ch-run, which strips one pair; HOME from the image's passwd")
                .containsExactly("PATH='/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'",
                        "HARNESS_PROBE='1'", "HOSTNAME='b7e12d1b8b9d'", "HOME='/root'");
        assertThat(p.rootfs()).isEqualTo(b.resolve("mnt/rootfs"));
        assertThat(p.privateNetwork()).as("the config asks for a network namespace").isTrue();
        assertThat(p.umask()).isNull();
        assertThat(p.mountPoints()).containsExactly(new LaunchPlan.MountPoint("/dev", true),
                new LaunchPlan.MountPoint("/proc", true), new LaunchPlan.MountPoint("/sys", true),
                new LaunchPlan.MountPoint("/tmp", true), new LaunchPlan.MountPoint("/etc/hosts", false),
                new LaunchPlan.MountPoint("/etc/hostname", false), new LaunchPlan.MountPoint("/etc/resolv.conf", false),
                new LaunchPlan.MountPoint("/run/.containerenv", false));
        assertThat(log.warnings).isEmpty();
    }

    @Test
    void everythingLeftOutGetsOneDebugLine() throws Exception {
        plan(Fixtures.bundle(tmp.resolve("b"), Fixtures.ROOT));
        List<String> expected = List.of("mounts[0] (proc at /proc)", "mounts[1] (tmpfs at /dev)",
                "mounts[2] (sysfs at /sys)", "mounts[7] (devpts at /dev/pts)", "mounts[8] (tmpfs at /dev/shm)",
                "mounts[9] (mqueue at /dev/mqueue)", "mounts[10] (cgroup at /sys/fs/cgroup)",
                "linux.namespaces pid", "linux.namespaces ipc",
                "linux.namespaces uts", "process.rlimits RLIMIT_NOFILE", "process.rlimits RLIMIT_NPROC",
                "hostname", "process.capabilities", "linux.sysctl", "linux.resources", "linux.seccomp",
                "linux.maskedPaths", "linux.readonlyPaths");
        for (String what : expected)
            assertThat(log.debug).as(what).filteredOn(l -> l.startsWith(what + " ")).hasSize(1);
        assertThat(log.debug).as("additionalGids 0 is the primary group: nothing left out")
                .noneMatch(l -> l.startsWith("process.user.additionalGids"));
        assertThat(log.debug).hasSize(expected.size()).allMatch(l -> l.contains(" ignored: "));
    }

    @Test
    void otherUsersRunAsThemselvesWithoutEmulation() throws Exception {
        LaunchPlan p = plan(Fixtures.bundle(tmp.resolve("b"), Fixtures.USER));
        assertThat(p.argv()).contains("--uid=65534", "--gid=65534").doesNotContain("--seccomp");
        assertThat(p.env()).contains("HOME='/nonexistent'");
    }

    @Test
    void rootlessBuildahsSysBindIsTheHostsSys() throws Exception {
        Path b = Fixtures.bundle(tmp.resolve("b"), Fixtures.ROOTLESS);
        LaunchPlan p = plan(b);
        assertThat(p.argv()).noneMatch(a -> a.endsWith(":/sys"));
        assertThat(log.warnings).as("not a read-only bind made read-write").isEmpty();
        assertThat(log.debug).anyMatch(l -> l.startsWith("mounts[2] (bind at /sys) ignored"));
    }

    @Test
    void readOnlyRootNeitherWritesNorMakesMountPoints() throws Exception {
        LaunchPlan p = plan("""
                {"ociVersion":"1.1.0","process":{"args":["/bin/true"],"cwd":"/","user":{"uid":1000,"gid":1000,"umask":63},
                 "env":["A=it's","B=two\\nlines","HOME=/h","broken"]},"root":{"path":"rootfs","readonly":true},
                 "linux":{"namespaces":[{"type":"network","path":"/proc/1/ns/net"}]}}""");
        assertThat(p.argv()).doesNotContain("-w");
        assertThat(p.mountPoints()).isEmpty();
        assertThat(p.umask()).isEqualTo(63);
        assertThat(p.privateNetwork()).as("joining a namespace is not possible; the host's is used").isFalse();
        assertThat(p.env()).containsExactly("A='it's'", "B='two\nlines'", "HOME='/h'");
        assertThat(log.warnings).containsExactly("process.env entry ignored: not NAME=VALUE without NUL bytes: broken");
        assertThat(log.debug).anyMatch(l -> l.startsWith("linux.namespaces network at /proc/1/ns/net ignored"));
    }

    @Test
    void mountsChRunCannotMakeAreSaidAloud() throws Exception {
        Files.createDirectories(tmp.resolve("ctx"));
        LaunchPlan p = plan("""
                {"ociVersion":"1.0.2","process":{"args":["/bin/true"],"cwd":"/"},"root":{"path":"rootfs"},
                 "mounts":[{"destination":"/ctx","type":"bind","source":"ctx","options":["rbind","ro"]},
                           {"destination":"/cache","type":"tmpfs","source":"tmpfs"},
                           {"destination":"/tmp","type":"tmpfs","source":"tmpfs"},
                           {"destination":"/a:b","type":"bind","source":"ctx"}]}""");
        assertThat(p.argv()).contains("--bind=" + tmp.resolve("ctx") + ":/ctx", "--private-tmp")
                .noneMatch(a -> a.contains("/cache") || a.contains("a:b"));
        assertThat(p.mountPoints()).contains(new LaunchPlan.MountPoint("/ctx", true));
        assertThat(log.warnings).containsExactly(
                "mounts[0] (bind at /ctx) is read-only in config.json but bound read-write: ch-run binds read-write only",
                "mounts[1] (tmpfs at /cache) ignored: ch-run-oci makes bind mounts only",
                "mounts[3] (bind at /a:b) ignored: ch-run's --bind cannot name a path with ':'");
    }

    @Test
    void refusesWhatWouldMisbehaveQuietly() throws Exception {
        String ok = "\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\"},\"root\":{\"path\":\"rootfs\"}";
        assertThatThrownBy(() -> plan("{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":true,\"args\":[\"sh\"],\"cwd\":\"/\"},"
                + "\"root\":{\"path\":\"rootfs\"}}"))
                .isInstanceOf(OciRuntimeException.class).hasMessageContaining("process.terminal")
                .satisfies(e -> assertThat(((OciRuntimeException) e).hint()).contains("/dev/null"));
        assertThatThrownBy(() -> plan("{\"ociVersion\":\"1.0.2\"," + ok + ",\"hooks\":{\"prestart\":[{\"path\":\"/x\"}]}}"))
                .hasMessage("config.json: hooks: ch-run-oci does not run hooks");
        assertThatThrownBy(() -> plan("{\"ociVersion\":\"2.0.0\"," + ok + "}"))
                .hasMessage("config.json: ociVersion 2.0.0 not supported (1.x is)");
        assertThatThrownBy(() -> plan("{\"ociVersion\":\"1.0.2\"}")).hasMessage("config.json: no process to run");
        assertThatThrownBy(() -> plan("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[],\"cwd\":\"/\"},\"root\":{\"path\":\"rootfs\"}}"))
                .hasMessage("config.json: process.args is empty");
        assertThatThrownBy(() -> plan("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"x\"],\"cwd\":\"rel\"},\"root\":{\"path\":\"rootfs\"}}"))
                .hasMessage("config.json: process.cwd: not an absolute path: rel");
        assertThatThrownBy(() -> plan("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"x\"],\"cwd\":\"/\"},\"root\":{\"path\":\"nope\"}}"))
                .hasMessage("config.json: root.path: not a directory: " + tmp.resolve("nope"));
        assertThatThrownBy(() -> plan("{\"ociVersion\":\"1.0.2\"," + ok
                + ",\"mounts\":[{\"destination\":\"/d\",\"type\":\"bind\",\"source\":\"/no/such/dir\"}]}"))
                .hasMessage("config.json: mounts[0] (bind at /d): source not found: /no/such/dir");
    }

    @Test
    void homeComesFromTheImagesPasswdWithoutFollowingSymlinks() throws Exception {
        Path root = tmp.resolve("r");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\nu:x:7:7::/home/u:/bin/sh\nbad:x:8\n");
        assertThat(LaunchPlan.homeOf(7, root)).isEqualTo("/home/u");
        assertThat(LaunchPlan.homeOf(8, root)).isEqualTo("/");
        assertThat(LaunchPlan.homeOf(9, root)).isEqualTo("/");
        Path evil = tmp.resolve("evil");
        Files.createDirectories(evil);
        Files.createSymbolicLink(evil.resolve("etc"), root.resolve("etc"));
        assertThat(LaunchPlan.homeOf(7, evil)).isEqualTo("/");
        Files.writeString(tmp.resolve("host-passwd"), "u:x:7:7::/home/host:/bin/sh\n", StandardCharsets.UTF_8);
        Path evil2 = tmp.resolve("evil2");
        Files.createDirectories(evil2.resolve("etc"));
        Files.createSymbolicLink(evil2.resolve("etc/passwd"), tmp.resolve("host-passwd"));
        assertThat(LaunchPlan.homeOf(7, evil2)).isEqualTo("/");
    }
}
