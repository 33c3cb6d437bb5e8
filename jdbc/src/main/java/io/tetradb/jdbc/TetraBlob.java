package io.tetradb.jdbc;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.sql.*;
import java.util.List;
import java.util.Map;

/** A BLOB held in memory. */
final class TetraBlob implements Blob {
    private byte[] bytes;

    TetraBlob(byte[] bytes) {
        this.bytes = bytes;
    }


    @Override
    public void free() throws SQLException {
        throw JdbcErrors.unsupported("Blob.free");
    }

    @Override
    public InputStream getBinaryStream() throws SQLException {
        throw JdbcErrors.unsupported("Blob.getBinaryStream");
    }

    @Override
    public InputStream getBinaryStream(long a0, long a1) throws SQLException {
        throw JdbcErrors.unsupported("Blob.getBinaryStream");
    }

    @Override
    public byte[] getBytes(long a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("Blob.getBytes");
    }

    @Override
    public long length() throws SQLException {
        throw JdbcErrors.unsupported("Blob.length");
    }

    @Override
    public long position(byte[] a0, long a1) throws SQLException {
        throw JdbcErrors.unsupported("Blob.position");
    }

    @Override
    public long position(Blob a0, long a1) throws SQLException {
        throw JdbcErrors.unsupported("Blob.position");
    }

    @Override
    public OutputStream setBinaryStream(long a0) throws SQLException {
        throw JdbcErrors.unsupported("Blob.setBinaryStream");
    }

    @Override
    public int setBytes(long a0, byte[] a1, int a2, int a3) throws SQLException {
        throw JdbcErrors.unsupported("Blob.setBytes");
    }

    @Override
    public int setBytes(long a0, byte[] a1) throws SQLException {
        throw JdbcErrors.unsupported("Blob.setBytes");
    }

    @Override
    public void truncate(long a0) throws SQLException {
        throw JdbcErrors.unsupported("Blob.truncate");
    }
}
