package chj.store;

import static org.assertj.core.api.Assertions.assertThat;

import chj.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try") // locks and stores held for a block
class CleanupTest {

    @TempDir
    Path tmp;
    Storage store;

    @BeforeEach
    void open() throws StoreException {
        store = Storage.open(tmp.resolve("store"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static void age(Path p, long hours) throws Exception {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(hours, ChronoUnit.HOURS)));
    }

    @Test
    void stagingOfAKilledProcessIsRemovedOnNextOpen() throws Exception {
        Path staged;
        try (StoreChild.Child child = StoreChild.start(store.root().toString(), "stage")) {
            String line = child.expectLine(20_000);
            assertThat(line).startsWith("STAGED ");
            staged = Path.of(line.substring(7));
            assertThat(staged.getFileName().toString()).matches("pull\\." + child.process.pid() + "\\.[0-9a-f]{8}");
            assertThat(staged.resolve("half-written")).exists();
            // alive: a cleaner must leave it alone
            assertThat(store.cleanStale().stagingDirs()).isZero();
            assertThat(staged).exists();
            child.kill9();
        }
        try (Storage again = Storage.open(store.root())) {
            assertThat(staged).doesNotExist();
            assertThat(Layout.list(again.root().resolve("locks/staging"))).isEmpty();
            assertThat(Layout.list(again.root().resolve("trash"))).isEmpty();
        }
    }

    @Test
    void ourOwnLiveStagingIsKept() throws Exception {
        try (StagingDir mine = store.newStagingDir("build")) {
            Files.writeString(mine.dir().resolve("work"), "x");
            assertThat(store.cleanStale().stagingDirs()).isZero();
            try (Storage other = Storage.open(store.root())) { // another Storage of this JVM cleans on open
                assertThat(mine.dir().resolve("work")).exists();
            }
        }
        assertThat(Layout.list(store.root().resolve("tmp"))).isEmpty();
        assertThat(Layout.list(store.root().resolve("locks/staging"))).isEmpty();
    }

    @Test
    void stagingWithoutALockFileIsAnOrphan() throws Exception {
        // a cleaner that died after removing the lock file but before the directory
        Path orphan = Files.createDirectories(store.root().resolve("tmp/pull.1.deadbeef/sub"));
        assertThat(store.cleanStale().stagingDirs()).isEqualTo(1);
        assertThat(orphan.getParent()).doesNotExist();
        assertThat(Layout.list(store.root().resolve("locks/staging"))).isEmpty();
    }

    @Test
    void orphanLockFilesGoOnlyWhenOld() throws Exception {
        Path young = Files.createFile(store.root().resolve("locks/staging/pull.1.00000001.lock"));
        Path old = Files.createFile(store.root().resolve("locks/staging/pull.1.00000002.lock"));
        age(old, 2);
        store.cleanStale();
        assertThat(young).exists(); // could belong to an owner about to make its directory
        assertThat(old).doesNotExist();
    }

    @Test
    void partFilesAreKeptForResumeUntilStale() throws Exception {
        Digest fresh = Digest.sha256("fresh".getBytes(StandardCharsets.UTF_8));
        Digest stale = Digest.sha256("stale".getBytes(StandardCharsets.UTF_8));
        Digest busy = Digest.sha256("busy".getBytes(StandardCharsets.UTF_8));
        for (Digest d : new Digest[] {fresh, stale, busy}) Files.writeString(store.blobs().partPath(d), "partial");
        age(store.blobs().partPath(stale), 25);
        age(store.blobs().partPath(busy), 25);
        Path youngTemp = store.blobs().newTempFile();
        Path oldTemp = store.blobs().newTempFile();
        age(oldTemp, 2);
        try (BlobLock l = store.lockBlob(busy)) { // someone is resuming this one right now
            assertThat(store.cleanStale().partFiles()).isEqualTo(2);
        }
        assertThat(store.blobs().partPath(fresh)).exists();
        assertThat(store.blobs().partPath(stale)).doesNotExist();
        assertThat(store.blobs().partPath(busy)).exists();
        assertThat(youngTemp).exists();
        assertThat(oldTemp).doesNotExist();
    }

    @Test
    void trashIsEmptied() throws Exception {
        Path leftover = Files.createDirectories(store.root().resolve("trash/alpine.123.abcdef01/usr/bin"));
        Files.writeString(leftover.resolve("sh"), "x");
        assertThat(store.cleanStale().trashEntries()).isEqualTo(1);
        assertThat(Layout.list(store.root().resolve("trash"))).isEmpty();
    }
}
