package io.tetradb.jdbc;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Clob;
import java.sql.NClob;
import java.sql.SQLException;

/**
 * A CLOB (and NCLOB) held in memory: a CLOB column's value, read whole with its row
 * (bounded by the frame size), or one the application builds to set as a parameter.
 * Positions are 1-based; {@link #free()} releases the text, after which every call fails.
 *
 * <p>Not thread-safe: used by one thread at a time.
 */
final class TetraClob implements NClob {
    private StringBuilder text;

    TetraClob(String text) {
        this.text = new StringBuilder(text);
    }

    /** The content. */
    String text() {
        return text == null ? "" : text.toString();
    }

    private void check() throws SQLException {
        if (text == null) {
            throw new SQLException("The Clob was freed.", "HY010");
        }
    }

    @Override
    public void free() {
        text = null;
    }

    @Override
    public long length() throws SQLException {
        check();
        return text.length();
    }

    @Override
    public String getSubString(long pos, int len) throws SQLException {
        check();
        if (pos < 1 || pos > text.length() + 1L || len < 0) {
            throw new SQLException("Invalid position " + pos + " or length " + len + " in a Clob of "
                    + text.length() + " characters.", "22003");
        }
        int from = (int) (pos - 1);
        return text.substring(from, from + Math.min(len, text.length() - from));
    }

    @Override
    public Reader getCharacterStream() throws SQLException {
        check();
        return new StringReader(text.toString());
    }

    @Override
    public Reader getCharacterStream(long pos, long len) throws SQLException {
        check();
        if (pos < 1 || len < 0 || pos - 1 + len > text.length()) {
            throw new SQLException("Invalid position " + pos + " or length " + len + " in a Clob of "
                    + text.length() + " characters.", "22003");
        }
        return new StringReader(text.substring((int) (pos - 1), (int) (pos - 1 + len)));
    }

    /** The text as ASCII: a character outside US-ASCII becomes '?'. */
    @Override
    public InputStream getAsciiStream() throws SQLException {
        check();
        return new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public long position(String pattern, long start) throws SQLException {
        check();
        if (start < 1) {
            throw new SQLException("Positions start at 1, not " + start + ".", "22003");
        }
        if (start > text.length() + 1L) {
            return -1;
        }
        int i = text.indexOf(pattern, (int) (start - 1));
        return i < 0 ? -1 : i + 1;
    }

    @Override
    public long position(Clob pattern, long start) throws SQLException {
        return position(pattern.getSubString(1, (int) pattern.length()), start);
    }

    @Override
    public int setString(long pos, String s) throws SQLException {
        return setString(pos, s, 0, s.length());
    }

    @Override
    public int setString(long pos, String s, int offset, int len) throws SQLException {
        check();
        if (pos < 1 || pos > text.length() + 1L || offset < 0 || len < 0 || offset + len > s.length()) {
            throw new SQLException("Invalid position " + pos + ", offset " + offset + " or length " + len + ".",
                    "22003");
        }
        int from = (int) (pos - 1);
        int end = Math.min(text.length(), from + len);
        text.replace(from, end, s.substring(offset, offset + len));
        return len;
    }

    @Override
    public OutputStream setAsciiStream(long pos) throws SQLException {
        Writer w = setCharacterStream(pos);
        return new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                w.write(b & 0xFF);
            }
        };
    }

    @Override
    public Writer setCharacterStream(long pos) throws SQLException {
        check();
        if (pos < 1 || pos > text.length() + 1L) {
            throw new SQLException("Invalid position " + pos + " in a Clob of " + text.length() + " characters.",
                    "22003");
        }
        return new Writer() {
            private long at = pos;

            @Override
            public void write(char[] cbuf, int off, int len) throws java.io.IOException {
                try {
                    at += setString(at, new String(cbuf, off, len));
                } catch (SQLException e) {
                    throw new java.io.IOException(e.getMessage(), e);
                }
            }

            @Override
            public void flush() {
                // written through
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }

    @Override
    public void truncate(long len) throws SQLException {
        check();
        if (len < 0 || len > text.length()) {
            throw new SQLException("Cannot truncate a Clob of " + text.length() + " characters to " + len + ".",
                    "22003");
        }
        text.setLength((int) len);
    }
}
