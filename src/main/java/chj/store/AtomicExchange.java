package chj.store;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Swaps two directory entries in one step with Linux's {@code renameat2(RENAME_EXCHANGE)}, so that
 * a replaced image's name never points at nothing. Not every filesystem supports it (NFS and
 * Lustre refuse with EINVAL); callers then fall back to two renames.
 */
final class AtomicExchange {

    private static final int AT_FDCWD = -100;
    private static final int RENAME_EXCHANGE = 2;

    private static final MethodHandle RENAMEAT2 = lookup();

    private AtomicExchange() {}

    @SuppressWarnings("restricted") // ch-image runs with --enable-native-access
    private static MethodHandle lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("renameat2")
                    .map(symbol -> linker.downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null; // no FFM here (native access denied, unknown platform): two renames will do
        }
    }

    /**
     * Exchanges {@code a} and {@code b}. False means nothing happened: no renameat2, a filesystem
     * without exchange, or an error (a missing name, no permission) that a plain rename will then
     * report properly.
     */
    static boolean exchange(Path a, Path b) {
        if (RENAMEAT2 == null) return false;
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) RENAMEAT2.invokeExact(AT_FDCWD, arena.allocateFrom(a.toString()), AT_FDCWD,
                    arena.allocateFrom(b.toString()), RENAME_EXCHANGE);
            return rc == 0;
        } catch (Error e) {
            throw e;
        } catch (Throwable t) {
            return false;
        }
    }
}
