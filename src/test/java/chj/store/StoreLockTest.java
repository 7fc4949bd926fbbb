package chj.store;

import static org.assertj.core.api.Assertions.assertThat;

import chj.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try") // locks and stores held for a block
class StoreLockTest {

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

    @Test
    void threadsOfOneJvmExcludeEachOther() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        int[] unsafeCounter = {0};
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        try (ImageLock l = store.lockImage("same")) {
                            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            unsafeCounter[0]++;
                            Thread.yield();
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(maxInside.get()).isEqualTo(1);
        assertThat(unsafeCounter[0]).isEqualTo(400);
    }

    @Test
    void differentNamesDoNotBlockEachOther() throws Exception {
        try (ImageLock a = store.lockImage("a")) {
            Optional<ImageLock> b = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.tryLockImage("b");
                } catch (StoreException e) {
                    throw new RuntimeException(e);
                }
            }).get(10, TimeUnit.SECONDS);
            assertThat(b).isPresent();
            b.get().close();
        }
    }

    @Test
    void aWaitingThreadGetsTheLockWhenReleased() throws Exception {
        ImageLock held = store.lockImage("x");
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<ImageLock> waiter = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            try {
                return store.lockImage("x");
            } catch (StoreException e) {
                throw new RuntimeException(e);
            }
        });
        started.await();
        assertThat(store.tryLockImage("x")).isEmpty();
        try {
            waiter.get(300, TimeUnit.MILLISECONDS);
            throw new AssertionError("got a held lock");
        } catch (TimeoutException expected) {
            // still waiting, as it must
        }
        held.close();
        assertThat(held.isHeld()).isFalse();
        ImageLock second = waiter.get(10, TimeUnit.SECONDS);
        assertThat(second.isHeld()).isTrue();
        second.close();
        held.close(); // closing twice is harmless and must not free someone else's lock
    }

    @Test
    void closingTwiceDoesNotReleaseAnotherHoldersLock() throws Exception {
        ImageLock first = store.lockImage("y");
        first.close();
        ImageLock second = store.lockImage("y");
        first.close();
        assertThat(store.tryLockImage("y")).isEmpty();
        second.close();
    }

    @Test
    void blobLocks() throws Exception {
        Digest d = Digest.sha256("blob".getBytes(StandardCharsets.UTF_8));
        try (BlobLock l = store.lockBlob(d)) {
            assertThat(l.digest()).isEqualTo(d);
            assertThat(store.tryLockBlob(d)).isEmpty();
            Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
            try (BlobLock o = store.tryLockBlob(other).orElseThrow()) {
                assertThat(o.isHeld()).isTrue();
            }
        }
        assertThat(store.tryLockBlob(d)).isPresent().get().satisfies(BlobLock::close);
    }

    @Test
    void anotherProcessHoldsTheLockUntilKilled() throws Exception {
        try (StoreChild.Child child = StoreChild.start(store.root().toString(), "hold-image", "alpine+3.19")) {
            assertThat(child.expectLine(20_000)).isEqualTo("LOCKED");
            assertThat(store.tryLockImage("alpine+3.19")).isEmpty();
            assertThat(store.tryLockImage("debian")).isPresent().get().satisfies(ImageLock::close);
            child.kill9();
            // the kernel released it with the process; no stale lock file to break
            CompletableFuture<ImageLock> after = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.lockImage("alpine+3.19");
                } catch (StoreException e) {
                    throw new RuntimeException(e);
                }
            });
            after.get(10, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void blobLockOfAKilledProcessIsReleased() throws Exception {
        Digest d = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
        try (StoreChild.Child child = StoreChild.start(store.root().toString(), "hold-blob", d.toString())) {
            assertThat(child.expectLine(20_000)).isEqualTo("LOCKED");
            assertThat(store.tryLockBlob(d)).isEmpty();
            child.kill9();
            assertThat(store.tryLockBlob(d)).isPresent().get().satisfies(BlobLock::close);
        }
    }

    @Test
    void anotherProcessWaitsForOurLock() throws Exception {
        ImageLock held = store.lockImage("busybox");
        try (StoreChild.Child child = StoreChild.start(store.root().toString(), "wait-image", "busybox")) {
            assertThat(child.expectLine(20_000)).isEqualTo("WAITING");
            assertThat(child.readLine(500)).isNull(); // it must not get the lock we hold
            held.close();
            assertThat(child.expectLine(10_000)).isEqualTo("ACQUIRED");
            assertThat(store.tryLockImage("busybox")).isEmpty();
        }
    }
}
