package io.tetradb.jdbc;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.sql.*;
import java.util.List;
import java.util.Map;

/** A CLOB (and NCLOB) held in memory. */
final class TetraClob implements NClob {
    private String text;

    TetraClob(String text) {
        this.text = text;
    }


    @Override
    public void free() throws SQLException {
        throw JdbcErrors.unsupported("NClob.free");
    }

    @Override
    public InputStream getAsciiStream() throws SQLException {
        throw JdbcErrors.unsupported("NClob.getAsciiStream");
    }

    @Override
    public Reader getCharacterStream() throws SQLException {
        throw JdbcErrors.unsupported("NClob.getCharacterStream");
    }

    @Override
    public Reader getCharacterStream(long a0, long a1) throws SQLException {
        throw JdbcErrors.unsupported("NClob.getCharacterStream");
    }

    @Override
    public String getSubString(long a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("NClob.getSubString");
    }

    @Override
    public long length() throws SQLException {
        throw JdbcErrors.unsupported("NClob.length");
    }

    @Override
    public long position(String a0, long a1) throws SQLException {
        throw JdbcErrors.unsupported("NClob.position");
    }

    @Override
    public long position(Clob a0, long a1) throws SQLException {
        throw JdbcErrors.unsupported("NClob.position");
    }

    @Override
    public OutputStream setAsciiStream(long a0) throws SQLException {
        throw JdbcErrors.unsupported("NClob.setAsciiStream");
    }

    @Override
    public Writer setCharacterStream(long a0) throws SQLException {
        throw JdbcErrors.unsupported("NClob.setCharacterStream");
    }

    @Override
    public int setString(long a0, String a1, int a2, int a3) throws SQLException {
        throw JdbcErrors.unsupported("NClob.setString");
    }

    @Override
    public int setString(long a0, String a1) throws SQLException {
        throw JdbcErrors.unsupported("NClob.setString");
    }

    @Override
    public void truncate(long a0) throws SQLException {
        throw JdbcErrors.unsupported("NClob.truncate");
    }
}
