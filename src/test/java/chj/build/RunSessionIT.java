package chj.build;

import static org.assertj.core.api.Assertions.assertThat;

import chj.testing.TestEnv;
import chj.testing.TestEnv.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The RUNs of a stage share one {@code ch-run --serve} container; each must still behave as if it
 * had a ch-run of its own (CHJ_RUN_SESSION=0 gives that, the reference here): its own environment
 * and directory, root emulation, exit status, and the error and status 49 of a missing command.
 */
class RunSessionIT {

    private static final String DOCKERFILE = """
            FROM %s AS first
            ENV A=1
            RUN echo "A=$A B=${B:-unset} pwd=$(pwd) uid=$(id -u)" > /out1
            WORKDIR /tmp
            RUN export B=leaks; echo "A=$A B=${B:-unset} pwd=$(pwd)" > /out2
            RUN echo "B=${B:-unset} pwd=$(pwd)" > /out3 && chown 1234:1234 /out3 && echo chowned >> /out3
            RUN <<EOT
            echo "heredoc pwd=$(pwd)" > /out4
            EOT
            FROM %s
            COPY --from=first /out1 /out2 /out3 /out4 /
            RUN echo "second stage uid=$(id -u) A=${A:-unset}" > /out5
            """;

    private record Outcome(Result build, Map<String, String> files) {}

    private static Outcome build(String name, boolean session) throws IOException {
        BuildFixture.Work w = BuildFixture.work(name);
        String base = BuildFixture.busybox();
        w.write("Dockerfile", DOCKERFILE.formatted(base, base));
        Path tmp = TestEnv.userDir("chj-session-tmp-");
        List<String> cmd = new ArrayList<>(List.of(TestEnv.bin("ch-image"), "-s", w.store().toString(), "build", "-t", "s", "."));
        Result r = TestEnv.runAsUser(cmd, Map.of("CHJ_RUN_SESSION", session ? "1" : "0", "TMPDIR", tmp.toString()),
                w.context(), null);
        assertThat(r.exit()).as(r.toString()).isZero();
        try (var left = Files.list(tmp)) {
            assertThat(left).as("the session's socket is removed").isEmpty();
        }
        Map<String, String> files = new java.util.TreeMap<>();
        for (String f : List.of("out1", "out2", "out3", "out4", "out5"))
            files.put(f, Files.readString(w.image("s").resolve(f)));
        return new Outcome(r, files);
    }

    @Test
    void runsInOneContainerBehaveAsRunsInTheirOwn() throws IOException {
        Outcome shared = build("session", true);
        Outcome own = build("no-session", false);
        assertThat(shared.files()).isEqualTo(own.files());
        assertThat(shared.files().get("out1")).isEqualTo("A=1 B=unset pwd=/ uid=0\n");
        assertThat(shared.files().get("out2")).isEqualTo("A=1 B=leaks pwd=/tmp\n");
        assertThat(shared.files().get("out3")).as("nothing leaks from one RUN to the next; chown is emulated")
                .isEqualTo("B=unset pwd=/tmp\nchowned\n");
        assertThat(shared.files().get("out4")).isEqualTo("heredoc pwd=/tmp\n");
        assertThat(shared.files().get("out5")).isEqualTo("second stage uid=0 A=unset\n");
    }

    @Test
    void bindsReachEveryRunAndStayOutOfTheImage() throws IOException {
        Path host = TestEnv.userDir("chj-session-bind-");
        TestEnv.runAsUser(List.of("sh", "-c", "echo from-host > " + host.resolve("data.txt")));
        for (String mode : List.of("1", "0")) {
            BuildFixture.Work w = BuildFixture.work("session-bind-" + mode);
            w.write("Dockerfile", "FROM " + BuildFixture.busybox() + "\nRUN mkdir -p /mnt/in\n"
                    + "RUN cat /mnt/in/data.txt > /copied\nRUN ls /mnt/in > /listing\n");
            Result r = TestEnv.runAsUser(List.of(TestEnv.bin("ch-image"), "-s", w.store().toString(), "build", "-t", "b",
                    "-b", host + ":/mnt/in", "."), Map.of("CHJ_RUN_SESSION", mode), w.context(), null);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(Files.readString(w.image("b").resolve("copied"))).as(mode).isEqualTo("from-host\n");
            assertThat(Files.readString(w.image("b").resolve("listing"))).as(mode).isEqualTo("data.txt\n");
            try (var inImage = Files.list(w.image("b").resolve("mnt/in"))) {
                assertThat(inImage).as("the bound files are not part of the image").isEmpty();
            }
        }
    }

    @Test
    void aMissingCommandFailsAsItWouldWithoutASession() {
        for (String mode : List.of("1", "0")) {
            BuildFixture.Work w = BuildFixture.work("session-missing-" + mode);
            w.write("Dockerfile", "FROM " + BuildFixture.busybox() + "\nRUN true\nRUN [\"/no/such-command\", \"x\"]\nRUN false\n");
            Result r = TestEnv.runAsUser(List.of(TestEnv.bin("ch-image"), "-s", w.store().toString(), "build", "-t", "m", "."),
                    Map.of("CHJ_RUN_SESSION", mode), w.context(), null);
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).as(mode).contains("can't execve(2): /no/such-command: No such file or directory")
                    .contains("exit status 49").doesNotContain("RUN.S false");
        }
    }
}
