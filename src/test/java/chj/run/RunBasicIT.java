package chj.run;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static chj.run.RunFixture.chRun;
import static chj.run.RunFixture.inContainer;
import static chj.run.RunFixture.sh;
import static org.assertj.core.api.Assertions.assertThat;

/** ch-run as the unprivileged test user: identity, exit status, messages, the mount tree. */
class RunBasicIT {

    private static String img() {
        return RunFixture.busybox().toString();
    }

    @Test
    void runsAsTheInvokingUserWithNothingElse() {
        Result host = TestEnv.runAsUser(List.of("sh", "-c", "id -u; grep SigIgn /proc/self/status"));
        Result r = inContainer("id -u; id -g; cat /proc/self/uid_map; grep -E '^(CapEff|CapPrm|CapAmb|NoNewPrivs|SigBlk|SigIgn)' /proc/self/status; true");
        // ("; true": busybox sh ignores SIGQUIT itself, so grep must be its child, not exec'd in its place)
        assertThat(r.exit()).as(r.toString()).isZero();
        String uid = host.out().lines().findFirst().orElseThrow();
        // ignored signals are the caller's (they pass execve); the JVM must add none. 32 and 33 are
        // glibc's own (a C program's handlers there revert to default at exec too).
        long glibc = 3L << 31;
        long ignored = Long.parseUnsignedLong(host.out().lines().skip(1).findFirst().orElseThrow().split("\t")[1], 16) & ~glibc;
        assertThat(r.out()).startsWith(uid + "\n");
        assertThat(r.out()).containsPattern("\\s+" + uid + "\\s+" + uid + "\\s+1\n");
        assertThat(r.out()).contains("CapEff:\t0000000000000000", "CapPrm:\t0000000000000000",
                "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "SigBlk:\t0000000000000000");
        String inside = r.out().lines().filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow().split("\t")[1];
        assertThat(Long.parseUnsignedLong(inside, 16) & ~glibc).as("SigIgn").isEqualTo(ignored);
    }

    @Test
    void signalsTheCallerIgnoresStayIgnored() {
        // A non-interactive shell's background job ignores SIGINT and SIGQUIT: so must CMD.
        Result r = sh("\"$CH_RUN\" \"$IMG\" -- grep SigIgn /proc/self/status & wait");
        assertThat(r.exit()).as(r.toString()).isZero();
        long ign = Long.parseUnsignedLong(r.out().trim().split("\t")[1], 16);
        assertThat(ign & 0x6).isEqualTo(0x6);
    }

    @Test
    void uidAndGidOptionsChangeTheContainerIds() {
        Result r = inContainer("id -u; id -g", "--uid=1234", "-g", "5678");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("1234\n5678\n");
    }

    @Test
    void exitStatusAndSignalsAreTheCommands() {
        assertThat(inContainer("exit 42").exit()).isEqualTo(42);
        assertThat(inContainer("kill -TERM $$").exit()).isEqualTo(128 + 15);
        Result r = chRun(img(), "--", "no-such-command");
        assertThat(r.exit()).isEqualTo(49);
        assertThat(r.err()).containsPattern("^ch-run\\[\\d+\\]: error: can't execve\\(2\\): no-such-command: No such file or directory\n");
    }

    @Test
    void usageErrorsExit64WithArgpMessages() {
        Result r = chRun("--bogus", img(), "--", "true");
        assertThat(r.exit()).isEqualTo(64);
        assertThat(r.err()).isEqualTo("ch-run: unrecognized option '--bogus'\n"
                + "Try `ch-run --help' or `ch-run --usage' for more information.\n");
        r = chRun("-x", img(), "--", "true");
        assertThat(r.exit()).isEqualTo(64);
        assertThat(r.err()).startsWith("ch-run: invalid option -- 'x'\n");
        r = chRun(img());
        assertThat(r.exit()).isEqualTo(64);
        assertThat(r.err()).contains("error: IMAGE and/or CMD not specified");
        r = chRun("-q", "-v", img(), "--", "true");
        assertThat(r.exit()).isEqualTo(64);
        assertThat(r.err()).contains("--quiet incompatible with --verbose");
        r = chRun(img(), "--", "true", "-b");   // options after -- belong to the command
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void helpUsageVersion() {
        Result help = chRun("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: ch-run [OPTION...] IMAGE -- CMD [ARG...]").contains("--set-env0");
        Result usage = chRun("--usage");
        assertThat(usage.exit()).isZero();
        assertThat(usage.out()).startsWith("Usage: ch-run [-jqtvwW?V]");
        Result version = chRun("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).isEmpty();
        assertThat(version.err()).isEqualTo(chj.Version.VERSION + "\n");
    }

    @Test
    void featuresReportWhatWorks() {
        assertThat(chRun("--feature=extglob").exit()).isZero();
        assertThat(chRun("--feature=seccomp").exit()).isZero();
        assertThat(chRun("--feature=squash").exit()).isZero();   // squashfuse is a test dependency
        Result r = chRun("--feature=frobnicate");
        assertThat(r.exit()).isEqualTo(31);
        assertThat(r.err()).contains("error: unknown feature: frobnicate");
    }

    @Test
    void imageIsReadOnlyUnlessWrite() {
        Result r = inContainer("touch /new-file");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("Read-only file system");
        Result w = inContainer("touch /written && ls /written && rm /written", "-w");
        assertThat(w.exit()).as(w.toString()).isZero();
    }

    @Test
    void hostDevProcSysAndFilesAreBound() throws Exception {
        Result r = inContainer("test -c /dev/null && test -d /proc/self/fd && test -d /sys/kernel && echo ok; "
                + "cat /etc/hosts; echo --; cat /etc/resolv.conf; echo --; cat /etc/machine-id");
        assertThat(r.exit()).as(r.toString()).isZero();
        String expect = "ok\n" + Files.readString(Path.of("/etc/hosts")) + "--\n"
                + Files.readString(Path.of("/etc/resolv.conf")) + "--\n" + Files.readString(Path.of("/etc/machine-id"));
        assertThat(r.out()).isEqualTo(expect);
    }

    @Test
    void passwdAndGroupAreSynthesizedUnlessNoPasswd() {
        String user = user();
        Result r = inContainer("cat /etc/passwd; cat /etc/group; whoami");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("root:x:0:0:root:/root:/bin/sh\n", "nobody:x:65534:65534:nobody:/:/bin/false\n",
                "root:x:0:\n", "nogroup:x:65534:\n").contains(user + ":x:").endsWith(user + "\n");
        assertThat(r.out()).doesNotContain("imageuser");
        Result n = inContainer("cat /etc/passwd", "--no-passwd");
        assertThat(n.out()).contains("imageuser:x:4242");
    }

    @Test
    void tmpIsTheHostsUnlessPrivate() throws Exception {
        Path d = RunFixture.scratch("chj-run-tmp-");
        // host /tmp: the file is there afterwards (TMPDIR, if set, would be bound instead)
        Result shared = sh("TMPDIR=" + d + " \"$CH_RUN\" \"$IMG\" -- sh -c 'echo hi > /tmp/marker; echo $TMPDIR'");
        assertThat(shared.exit()).as(shared.toString()).isZero();
        assertThat(shared.out()).isEqualTo("\n");           // TMPDIR is unset inside
        assertThat(d.resolve("marker")).hasContent("hi");
        Result priv = sh("TMPDIR=" + d + " \"$CH_RUN\" -t \"$IMG\" -- sh -c 'ls /tmp; echo x > /tmp/p'");
        assertThat(priv.exit()).as(priv.toString()).isZero();
        assertThat(priv.out()).isEmpty();
        assertThat(d.resolve("p")).doesNotExist();
    }

    @Test
    void homeIsBoundAtHomeUser() throws Exception {
        String user = user();
        TestEnv.runAsUser(List.of("touch", TestEnv.userHome(user) + "/.chj-home-probe"));
        Result r = inContainer("echo $HOME; pwd; ls -d /home/" + user + "/.chj-home-probe", "--home", "-c", "/home/" + user);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("/home/" + user + "\n/home/" + user + "\n/home/" + user + "/.chj-home-probe\n");
        Result noHome = TestEnv.runAsUser(List.of("env", "-u", "HOME", RunFixture.chRun(), "--home", img(), "--", "true"));
        assertThat(noHome.exit()).isEqualTo(31);
        assertThat(noHome.err()).contains("--home failed: $HOME not set");
    }

    @Test
    void workingDirectory() {
        Result r = sh("cd /tmp && \"$CH_RUN\" \"$IMG\" -- pwd; cd /usr/share && \"$CH_RUN\" \"$IMG\" -- pwd");
        assertThat(r.out()).isEqualTo("/tmp\n/\n");
        Result c = inContainer("pwd", "-c", "/etc");
        assertThat(c.out()).isEqualTo("/etc\n");
        Result bad = inContainer("pwd", "--cd=/nope");
        assertThat(bad.exit()).isEqualTo(31);
        assertThat(bad.err()).contains("error: can't cd to /nope: No such file or directory");
    }

    @Test
    void bindMounts() throws Exception {
        Path src = RunFixture.scratch("chj-run-bind-");
        RunFixture.write(src.resolve("f"), "bound\n");
        Result r = inContainer("cat /mnt/f; cat " + src + "/f; echo w > /mnt/g", "-b", src + ":/mnt", "--bind=" + src);
        assertThat(r.exit()).as(r.toString()).isNotZero();   // src itself is not in the image and the image is read-only
        assertThat(r.err()).contains("can't mkdir: " + img() + src.getParent() + ": Read-only file system");
        r = inContainer("cat /mnt/f; echo w > /mnt/g", "-b", src + ":/mnt");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("bound\n");
        assertThat(src.resolve("g")).hasContent("w");       // binds are read-write
        Result made = inContainer("cat /new/dir/f", "-w", "-b", src + ":/new/dir");
        assertThat(made.exit()).as(made.toString()).isZero();
        assertThat(made.out()).isEqualTo("bound\n");
        assertThat(RunFixture.busybox().resolve("new/dir")).isDirectory();
        TestEnv.runAsUser(List.of("rm", "-rf", RunFixture.busybox().resolve("new").toString()));

        assertBindError("-b", ":/x", "--bind: no source provided");
        assertBindError("-b", src + ":", "--bind: no destination provided");
        assertBindError("-b", src + ":/", "--bind: destination can't be /");
        assertBindError("-b", src + ":rel", "--bind: destination must be absolute");
        assertBindError("-b", "/nonexistent-src:/mnt", "can't bind: source not found: /nonexistent-src");
    }

    private static void assertBindError(String opt, String val, String message) {
        Result r = chRun(opt, val, img(), "--", "true");
        assertThat(r.exit()).as(r.toString()).isEqualTo(31);
        assertThat(r.err()).containsPattern("ch-run\\[\\d+\\]: error: " + java.util.regex.Pattern.quote(message));
    }

    @Test
    void bindRulesInsideTheImage() throws Exception {
        Path src = RunFixture.scratch("chj-run-bind2-");
        Path img = RunFixture.makeBusybox(RunFixture.scratch("chj-run-bbw-").resolve("img"));
        TestEnv.runAsUser(List.of("ln", "-s", "/etc", img.resolve("abs").toString()));
        TestEnv.runAsUser(List.of("ln", "-s", "etc", img.resolve("rel").toString()));
        Result abs = chRun("-w", "-b", src + ":/abs/sub", img.toString(), "--", "true");
        assertThat(abs.exit()).isEqualTo(31);
        assertThat(abs.err()).contains("can't mkdir: symlink not relative: " + img + "/abs");
        Result rel = chRun("-w", "-b", src + ":/rel/sub", img.toString(), "--", "ls", "-d", "/etc/sub");
        assertThat(rel.exit()).as(rel.toString()).isZero();
        Result escape = chRun("-w", "-b", src + ":/../../x", img.toString(), "--", "true");
        assertThat(escape.exit()).isEqualTo(31);
        assertThat(escape.err()).contains("not subdirectory of " + img);
        Result under = chRun("-w", "-b", src + ":/mnt", "-b", src + ":/mnt/inner", img.toString(), "--", "true");
        assertThat(under.exit()).isEqualTo(31);
        assertThat(under.err()).contains("can't mkdir: " + img + "/mnt/inner under existing bind-mount " + img + "/mnt");
    }

    @Test
    void quietAndVerbose() {
        Result q = inContainer("echo out; echo err >&2", "-q");
        assertThat(q.out()).isEmpty();
        assertThat(q.err()).isEqualTo("err\n");
        Result qqq = inContainer("echo out; echo err >&2", "-qqq");
        assertThat(qqq.out()).isEmpty();
        assertThat(qqq.err()).isEmpty();
        Result v = inContainer("true", "-vv");
        assertThat(v.err()).containsPattern("ch-run\\[\\d+\\]: executing: /bin/sh -c true");
    }

    @Test
    void descriptorsAndPid() {
        // fd 7 from the caller stays; the JVM's don't leak; the command has the PID the caller started.
        Result r = sh("\"$CH_RUN\" \"$IMG\" -- sh -c 'echo $$; ls /proc/self/fd; cat <&7' 7</etc/hostname & echo $!; wait");
        assertThat(r.exit()).as(r.toString()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[1]).isEqualTo(lines[0]);   // $! == $$ inside
        // ls's own directory descriptor is 3
        assertThat(List.of(lines).subList(2, lines.length - 1)).containsExactlyInAnyOrder("0", "1", "2", "3", "7");
        assertThat(lines[lines.length - 1]).isEqualTo(hostname());
    }

    @Test
    void signalsReachTheCommand() {
        Result r = sh("\"$CH_RUN\" \"$IMG\" -- sh -c 'trap \"echo got TERM; exit 7\" TERM; echo ready; "
                + "while :; do sleep 0.05; done' > /tmp/chj-sig.$$ & pid=$!; "
                + "until grep -q ready /tmp/chj-sig.$$ 2>/dev/null; do sleep 0.05; done; kill -TERM $pid; wait $pid; "
                + "echo status=$?; cat /tmp/chj-sig.$$; rm -f /tmp/chj-sig.$$");
        assertThat(r.out()).contains("status=7", "got TERM");
        Result k = sh("\"$CH_RUN\" \"$IMG\" -- sleep 30 & pid=$!; sleep 1; kill -KILL $pid; wait $pid; echo status=$?");
        assertThat(k.out()).contains("status=137");
    }

    @Test
    void readOnlyKeepsTheSourceMountsLockedFlags() {
        // An image on a nosuid,nodev filesystem: the read-only remount must keep those flags
        // (a user namespace may not clear them, and the kernel refuses a remount that tries).
        Path mnt = RunFixture.scratch("chj-run-nosuid-");
        boolean mounted = false;
        try {
            if (TestEnv.isRoot()) {
                Result m = TestEnv.run(List.of("mount", "-t", "tmpfs", "-o", "nosuid,nodev,size=64m", "tmpfs", mnt.toString()));
                assertThat(m.exit()).as(m.toString()).isZero();
                mounted = true;
                TestEnv.run(List.of("chmod", "777", mnt.toString()));
            }
            Path img = RunFixture.makeBusybox(mnt.resolve("img"));
            Result r = chRun(img.toString(), "--", "sh", "-c", "awk '$5 == \"/\" {print $6}' /proc/self/mountinfo; touch /x");
            assertThat(r.err()).contains("Read-only file system");
            String opts = r.out().trim();
            assertThat(opts).startsWith("ro");
            if (mounted) assertThat(opts).contains("nosuid", "nodev");
        } finally {
            if (mounted) TestEnv.run(List.of("umount", "-l", mnt.toString()));
        }
    }

    static String user() {
        String u = TestEnv.testUser();
        return u != null ? u : System.getProperty("user.name");
    }

    static String hostname() {
        return TestEnv.run(List.of("hostname")).out().trim();
    }

    static Map<String, String> env(String... kv) {
        java.util.HashMap<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
