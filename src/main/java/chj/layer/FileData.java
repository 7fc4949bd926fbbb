package chj.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveStructSparse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Moves member data from the tar stream into files, through one large buffer. */
final class FileData {

    private final byte[] buffer = new byte[Compression.BUFFER_SIZE];

    /** Copies the current member's data into a new file; returns its size. */
    long copy(TarReader reader, FileChannel ch) throws IOException {
        long total = 0;
        int n;
        while ((n = reader.read(buffer, 0, buffer.length)) > 0) {
            write(ch, n, -1);
            total += n;
        }
        return total;
    }

    /**
     * Writes only a sparse member's data chunks, leaving its holes as holes (a sparse lastlog of
     * terabytes stays small); returns its size.
     */
    long copySparse(TarArchiveEntry e, TarReader reader, FileChannel ch) throws IOException {
        long position = 0;
        for (TarArchiveStructSparse chunk : e.getOrderedSparseHeaders()) {
            for (long gap = chunk.getOffset() - position; gap > 0; ) {
                long skipped = reader.skip(gap);
                if (skipped <= 0) throw endsEarly(e);
                gap -= skipped;
            }
            position = chunk.getOffset();
            for (long left = chunk.getNumbytes(); left > 0; ) {
                int n = reader.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n <= 0) throw endsEarly(e);
                write(ch, n, position);
                position += n;
                left -= n;
            }
        }
        long size = e.getRealSize();
        if (ch.size() < size) ch.write(ByteBuffer.wrap(new byte[1]), size - 1); // a trailing hole: extend the file
        return size;
    }

    /** Reads what is left of a stream; returns how many bytes that was. */
    long drain(InputStream in) throws TarReader.ReadFailure {
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) >= 0) total += n;
        } catch (IOException x) {
            throw new TarReader.ReadFailure(x.getMessage(), x);
        }
        return total;
    }

    /** Writes buffer[0, n) at a position, or at the channel's own position when position is -1. */
    private void write(FileChannel ch, int n, long position) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
        while (bb.hasRemaining()) {
            if (position < 0) ch.write(bb);
            else position += ch.write(bb, position);
        }
    }

    private static TarReader.ReadFailure endsEarly(TarArchiveEntry e) {
        return new TarReader.ReadFailure("sparse member '" + LayerReport.printable(e.getName()) + "' ends early", null);
    }
}
