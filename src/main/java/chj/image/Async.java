package chj.image;

import chj.layer.LayerException;
import chj.oci.OciException;
import chj.registry.RegistryException;
import chj.store.StoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Checked exceptions through {@link CompletableFuture}s: work that throws one of the domain
 * exceptions runs wrapped, and {@link #await} throws it again as it was, so that a failure on a
 * worker thread reaches the user as the same one line it would on the main thread.
 */
final class Async {

    /** Work that may fail with any exception. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws Exception;
    }

    private Async() {}

    /** Runs {@code work} on {@code executor}. */
    static <T> CompletableFuture<T> supply(Work<T> work, java.util.concurrent.Executor executor) {
        return CompletableFuture.supplyAsync(() -> call(work), executor);
    }

    /** Runs {@code work} here, wrapping what it throws for a future to carry. */
    static <T> T call(Work<T> work) {
        try {
            return work.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** The future's value, or its failure thrown as what it was. */
    static <T> T await(CompletableFuture<T> f)
            throws ImageException, RegistryException, StoreException, LayerException, OciException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) c = c.getCause();
            switch (c) {
                case ImageException x -> throw x;
                case RegistryException x -> throw x;
                case StoreException x -> throw x;
                case LayerException x -> throw x;
                case OciException x -> throw x;
                case RuntimeException x -> throw x;
                case Error x -> throw x;
                default -> throw new ImageException(c.getMessage() != null ? c.getMessage() : c.toString(), null, c);
            }
        }
    }

    /** A pool of daemon threads that {@link #close()} stops at once, interrupting what still runs. */
    static final class Pool implements AutoCloseable {
        final ExecutorService executor;

        Pool(int threads, String name) {
            executor = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public void close() {
            executor.shutdownNow();
            try {
                executor.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
