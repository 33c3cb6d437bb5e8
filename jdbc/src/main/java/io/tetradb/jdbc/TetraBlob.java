package io.tetradb.jdbc;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Blob;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * A BLOB held in memory: a BLOB column's value, read whole with its row (bounded by the
 * frame size), or one the application builds to set as a parameter. Positions are 1-based
 * as JDBC says; {@link #free()} releases the bytes, after which every call fails.
 *
 * <p>Not thread-safe: used by one thread at a time.
 */
final class TetraBlob implements Blob {
    private byte[] bytes;
    private int length;

    TetraBlob(byte[] bytes) {
        this.bytes = bytes;
        this.length = bytes.length;
    }

    /** The content (a copy when the blob was written to). */
    byte[] bytes() {
        return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
    }

    private void check() throws SQLException {
        if (bytes == null) {
            throw new SQLException("The Blob was freed.", "HY010");
        }
    }

    @Override
    public void free() {
        bytes = null;
        length = 0;
    }

    @Override
    public long length() throws SQLException {
        check();
        return length;
    }

    @Override
    public byte[] getBytes(long pos, int len) throws SQLException {
        check();
        if (pos < 1 || pos > length + 1L || len < 0) {
            throw new SQLException("Invalid position " + pos + " or length " + len + " in a Blob of " + length
                    + " bytes.", "22003");
        }
        int from = (int) (pos - 1);
        return Arrays.copyOfRange(bytes, from, from + Math.min(len, length - from));
    }

    @Override
    public InputStream getBinaryStream() throws SQLException {
        check();
        return new ByteArrayInputStream(bytes, 0, length);
    }

    @Override
    public InputStream getBinaryStream(long pos, long len) throws SQLException {
        check();
        if (pos < 1 || len < 0 || pos - 1 + len > length) {
            throw new SQLException("Invalid position " + pos + " or length " + len + " in a Blob of " + length
                    + " bytes.", "22003");
        }
        return new ByteArrayInputStream(bytes, (int) (pos - 1), (int) len);
    }

    @Override
    public long position(byte[] pattern, long start) throws SQLException {
        check();
        if (start < 1) {
            throw new SQLException("Positions start at 1, not " + start + ".", "22003");
        }
        outer:
        for (long i = start - 1; i + pattern.length <= length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[(int) i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i + 1;
        }
        return -1;
    }

    @Override
    public long position(Blob pattern, long start) throws SQLException {
        return position(pattern.getBytes(1, (int) pattern.length()), start);
    }

    @Override
    public int setBytes(long pos, byte[] b) throws SQLException {
        return setBytes(pos, b, 0, b.length);
    }

    @Override
    public int setBytes(long pos, byte[] b, int offset, int len) throws SQLException {
        check();
        if (pos < 1 || pos > length + 1L || offset < 0 || len < 0 || offset + len > b.length) {
            throw new SQLException("Invalid position " + pos + ", offset " + offset + " or length " + len + ".",
                    "22003");
        }
        int from = (int) (pos - 1);
        ensure(from + len);
        System.arraycopy(b, offset, bytes, from, len);
        length = Math.max(length, from + len);
        return len;
    }

    private void ensure(int capacity) {
        if (capacity > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(capacity, bytes.length * 2));
        }
    }

    @Override
    public OutputStream setBinaryStream(long pos) throws SQLException {
        check();
        if (pos < 1 || pos > length + 1L) {
            throw new SQLException("Invalid position " + pos + " in a Blob of " + length + " bytes.", "22003");
        }
        return new OutputStream() {
            private long at = pos;

            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                try {
                    at += setBytes(at, b, off, len);
                } catch (SQLException e) {
                    throw new java.io.IOException(e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public void truncate(long len) throws SQLException {
        check();
        if (len < 0 || len > length) {
            throw new SQLException("Cannot truncate a Blob of " + length + " bytes to " + len + ".", "22003");
        }
        length = (int) len;
    }
}
