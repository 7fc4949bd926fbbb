package chj.layer;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * libdeflate, where the system has it (libdeflate.so.0: Debian's libdeflate0, EL's libdeflate,
 * usually there already as a dependency of libtiff), called through FFM. It compresses whole
 * buffers into complete gzip members 2 to 3 times as fast as zlib at the same level, with as good
 * a ratio; {@link ParallelGzipOutputStream} uses it when it can. {@code CHJ_LIBDEFLATE=0} turns it
 * off (zlib then, as the JDK has it).
 */
final class LibDeflate {

    private static final LibDeflate INSTANCE = load();

    private final MethodHandle alloc;
    private final MethodHandle gzipCompress;
    private final MethodHandle gzipBound;
    private final MethodHandle free;

    private LibDeflate(SymbolLookup lib, Linker linker) {
        alloc = linker.downcallHandle(lib.findOrThrow("libdeflate_alloc_compressor"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        // critical: the buffers are Java arrays, passed without a copy; a call takes milliseconds
        gzipCompress = linker.downcallHandle(lib.findOrThrow("libdeflate_gzip_compress"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                Linker.Option.critical(true));
        gzipBound = linker.downcallHandle(lib.findOrThrow("libdeflate_gzip_compress_bound"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        free = linker.downcallHandle(lib.findOrThrow("libdeflate_free_compressor"),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    /** The library, or null when the system lacks it, native access is denied, or CHJ_LIBDEFLATE=0. */
    static LibDeflate get() {
        return INSTANCE;
    }

    private static LibDeflate load() {
        if ("0".equals(System.getenv("CHJ_LIBDEFLATE"))) return null;
        try {
            return new LibDeflate(SymbolLookup.libraryLookup("libdeflate.so.0", Arena.global()), Linker.nativeLinker());
        } catch (IllegalArgumentException | IllegalCallerException | UnsupportedOperationException
                 | java.util.NoSuchElementException e) {
            return null; // no such library (or symbol), or no native access: zlib it is
        }
    }

    /** A compressor for one thread at a time; free it with {@link #free}. Levels 1 to 12. */
    MemorySegment newCompressor(int level) {
        MemorySegment c;
        try {
            c = (MemorySegment) alloc.invokeExact(level);
        } catch (Throwable t) {
            throw new IllegalStateException("libdeflate_alloc_compressor: " + t, t);
        }
        if (c.equals(MemorySegment.NULL)) throw new OutOfMemoryError("libdeflate could not allocate a level " + level + " compressor");
        return c;
    }

    /** The most bytes a gzip member of {@code length} input bytes can take. */
    long bound(MemorySegment compressor, long length) {
        try {
            return (long) gzipBound.invokeExact(compressor, length);
        } catch (Throwable t) {
            throw new IllegalStateException("libdeflate_gzip_compress_bound: " + t, t);
        }
    }

    /**
     * Compresses {@code in[0, length)} into one complete gzip member (no name, mtime 0) in
     * {@code out}; returns its size. {@code out} must have room for {@link #bound}.
     */
    int gzip(MemorySegment compressor, byte[] in, int length, byte[] out) {
        long n;
        try {
            n = (long) gzipCompress.invokeExact(compressor, MemorySegment.ofArray(in), (long) length,
                    MemorySegment.ofArray(out), (long) out.length);
        } catch (Throwable t) {
            throw new IllegalStateException("libdeflate_gzip_compress: " + t, t);
        }
        if (n == 0) throw new IllegalStateException("libdeflate_gzip_compress: output buffer too small");
        return (int) n;
    }

    void free(MemorySegment compressor) {
        try {
            free.invokeExact(compressor);
        } catch (Throwable t) {
            throw new IllegalStateException("libdeflate_free_compressor: " + t, t);
        }
    }
}
