package chj.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;

/**
 * Commons Compress's tar reader (ustar, GNU, PAX, v7, sparse), made strict about endings: it
 * treats a stream that stops inside a header as the end of the archive, which would turn a
 * truncated layer into a silently shorter one. Reading failures come out as {@link ReadFailure}
 * so that they are told apart from failures to write the tree.
 */
final class TarReader extends TarArchiveInputStream {

    /** The tar stream could not be read or parsed. */
    static final class ReadFailure extends IOException {
        ReadFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private boolean partialRecord;
    private boolean sawEndMarker;

    /**
     * Lenient about the numeric fields the unpacker ignores or can default (ids, device numbers,
     * mode, mtime: some tools leave them NUL-filled), strict about sizes and checksums.
     */
    TarReader(InputStream in) {
        super(in, TarConstants.DEFAULT_BLKSIZE, TarConstants.DEFAULT_RCDSIZE, "UTF-8", true);
    }

    /** The next member, or null at the end of the archive; fails on a header cut short. */
    TarArchiveEntry next() throws ReadFailure {
        TarArchiveEntry e;
        try {
            e = getNextEntry();
        } catch (IOException ex) {
            throw new ReadFailure(ex.getMessage(), ex);
        }
        if (e == null && partialRecord) throw new ReadFailure("truncated tar: the stream ends inside a header", null);
        if (e != null && !e.isCheckSumOK()) throw new ReadFailure("corrupt tar: header checksum mismatch", null);
        return e;
    }

    /** Whether the archive ended without its end-of-archive blocks (and was not simply empty). */
    boolean endedWithoutMarker() {
        return !sawEndMarker && getBytesRead() > 0;
    }

    @Override
    public int read(byte[] buf, int offset, int len) throws ReadFailure {
        try {
            return super.read(buf, offset, len);
        } catch (ReadFailure e) {
            throw e;
        } catch (IOException e) {
            throw new ReadFailure(e.getMessage(), e);
        }
    }

    @Override
    public long skip(long n) throws ReadFailure {
        try {
            return super.skip(n);
        } catch (IOException e) {
            throw new ReadFailure(e.getMessage(), e);
        }
    }

    @Override
    protected byte[] readRecord() throws IOException {
        long before = getBytesRead();
        byte[] record = super.readRecord();
        if (record == null && getBytesRead() > before) partialRecord = true;
        return record;
    }

    @Override
    protected boolean isEOFRecord(byte[] record) {
        boolean eof = super.isEOFRecord(record);
        if (eof && record != null) sawEndMarker = true;
        return eof;
    }
}
