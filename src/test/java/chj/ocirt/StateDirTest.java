package chj.ocirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirTest {

    @TempDir
    Path tmp;

    @Test
    void claimMakesPrivateDirectoriesKeyedByIdAlone() throws Exception {
        Path root = tmp.resolve("run/chj-oci");
        StateDir d = StateDir.claim(root, "buildah-buildah2919171501");
        assertThat(d.path()).isEqualTo(root.resolve("buildah-buildah2919171501")).isDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.path()))).isEqualTo("rwx------");
        assertThat(StateDir.claim(root, "any_other.id+1").path()).isDirectory();
        assertThatThrownBy(() -> StateDir.claim(root, "buildah-buildah2919171501"))
                .hasMessageStartingWith("container buildah-buildah2919171501 already exists");
    }

    @Test
    void idsThatAreNotPlainNamesAreRefused() {
        for (String bad : new String[]{"", ".", "..", "a/b", "../x", "a b", "x\n", "é"})
            assertThatThrownBy(() -> StateDir.claim(tmp, bad)).as(bad).isInstanceOf(OciRuntimeException.class)
                    .hasMessageContaining("container id");
    }

    @Test
    void aRootOthersMayWriteIsRefused() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> StateDir.claim(root, "x")).hasMessage("state root " + root + " is writeable by others");
        Path link = tmp.resolve("link");
        Files.createSymbolicLink(link, Files.createDirectories(tmp.resolve("elsewhere")));
        assertThatThrownBy(() -> StateDir.claim(link, "x")).hasMessage("state root is not a directory: " + link);
    }

    @Test
    void concurrentCreatesOfOneIdHaveOneWinnerAndOfManyIdsAllWin() throws Exception {
        Path root = tmp.resolve("root");
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> same = new ArrayList<>();
            List<Future<Boolean>> distinct = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                Callable<Boolean> one = () -> claims(go, root, "same");
                Callable<Boolean> own = () -> claims(go, root, "ctr-" + k);
                same.add(pool.submit(one));
                distinct.add(pool.submit(own));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> f : same) if (f.get()) winners++;
            assertThat(winners).isEqualTo(1);
            for (Future<Boolean> f : distinct) assertThat(f.get()).isTrue();
        } finally {
            pool.shutdownNow();
        }
        try (var s = Files.list(root)) {
            assertThat(s.count()).isEqualTo(n + 1);
        }
    }

    private static boolean claims(CountDownLatch go, Path root, String id) throws Exception {
        go.await();
        try {
            StateDir.claim(root, id);
            return true;
        } catch (OciRuntimeException e) {
            assertThat(e.getMessage()).startsWith("container " + id + " already exists");
            return false;
        }
    }

    @Test
    void headIsTheStateJsonLessStatusAndPid() throws Exception {
        StateDir d = StateDir.claim(tmp.resolve("root"), "c1");
        d.writeHead("1.0.2-dev", Path.of("/var/tmp/b \"q\""), "2026-01-02T03:04:05Z", Map.of("k", "v"));
        String head = Files.readString(d.file(StateDir.HEAD));
        assertThat(head).endsWith("\n").hasLineCount(1);
        String state = head.strip() + ",\"status\":\"created\",\"pid\":42}";
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) Json.parse(state.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed).containsEntry("ociVersion", "1.0.2-dev").containsEntry("id", "c1")
                .containsEntry("bundle", "/var/tmp/b \"q\"").containsEntry("status", "created")
                .containsEntry("pid", 42L).containsEntry("annotations", Map.of("k", "v"));
    }

    @Test
    void argvFileGivesShTheExactWords() throws Exception {
        StateDir d = StateDir.claim(tmp.resolve("root"), "c2");
        List<String> words = List.of("/bin/sh", "-c", "echo 'it''s' \"$HOME\" `id` \\ ;", "", "two\nlines", "*", "$(x)");
        d.writeArgv(words, 022);
        Process p = new ProcessBuilder("/bin/sh", "-c", ". \"$1\"; umask; printf '%s\\0' \"$@\"", "sh",
                d.file(StateDir.ARGV).toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).startsWith("0022\n");
        assertThat(List.of(out.substring(5).split("\0", -1))).containsExactlyElementsOf(concat(words, ""));
    }

    @Test
    void envFileIsNulSeparated() throws Exception {
        StateDir d = StateDir.claim(tmp.resolve("root"), "c3");
        d.writeEnv(List.of("A='1'", "B='x\ny'"));
        assertThat(Files.readString(d.file(StateDir.ENV))).isEqualTo("A='1'\0B='x\ny'\0");
        d.writeHolder(1234, "5678");
        assertThat(Files.readString(d.file(StateDir.HOLDER))).isEqualTo("1234 5678\n");
        d.remove();
        assertThat(d.path()).doesNotExist();
    }

    private static List<String> concat(List<String> a, String last) {
        List<String> l = new ArrayList<>(a);
        l.add(last);
        return l;
    }
}
