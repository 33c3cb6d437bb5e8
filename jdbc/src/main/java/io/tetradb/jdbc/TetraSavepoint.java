package io.tetradb.jdbc;

import java.sql.SQLException;
import java.sql.Savepoint;

/** A savepoint set by {@link TetraConnection#setSavepoint}: named, or numbered when unnamed. */
final class TetraSavepoint implements Savepoint {
    private final int id;
    private final String name;
    private volatile boolean released;

    TetraSavepoint(int id, String name) {
        this.id = id;
        this.name = name;
    }

    static TetraSavepoint of(Savepoint s) throws SQLException {
        if (!(s instanceof TetraSavepoint t)) {
            throw new SQLException("Not a savepoint of a Tetra connection: " + s + ".", "3B001");
        }
        if (t.released) {
            throw new SQLException("The savepoint " + t + " was released.", "3B001");
        }
        return t;
    }

    /** The name the engine knows it by. */
    String identifier() {
        return TetraConnection.quoteIdentifier(name != null ? name : "TETRA_SAVEPOINT_" + id);
    }

    void release() {
        released = true;
    }

    @Override
    public int getSavepointId() throws SQLException {
        if (name != null) {
            throw new SQLException("A named savepoint has no id.", "3B000");
        }
        return id;
    }

    @Override
    public String getSavepointName() throws SQLException {
        if (name == null) {
            throw new SQLException("An unnamed savepoint has no name.", "3B000");
        }
        return name;
    }

    @Override
    public String toString() {
        return name != null ? name : "savepoint " + id;
    }
}
