package io.tetradb.bench;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The process {@link CrashCutBench} kills: H2 2.3.232 embedded, {@link #THREADS} threads,
 * each committing in a loop one transaction that inserts row N of its slot into T and then
 * sets its slot's counter in W to N. A file that holds one moment of the database has, for
 * every slot, W's counter equal to T's highest N and T's row count N + 1.
 *
 * <pre>
 * CrashCutChild FILE h2|quiet     writes until killed
 * CrashCutChild FILE check        prints "consistent" or what disagrees
 * </pre>
 * Mode {@code h2}: H2 writes its file as it does by default (background writer, and when
 * its write buffer fills). Mode {@code quiet}: as the Tetra server does
 * (io.tetradb.server.log.Checkpoints): H2's own writes off, every engine call holds a
 * shared lock, a checkpoint thread writes the file every 20 ms holding it exclusively.
 */
public final class CrashCutChild {
    static final int THREADS = 4;

    private CrashCutChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:h2:file:" + args[0] + ";DB_CLOSE_ON_EXIT=FALSE";
        Connection setup = DriverManager.getConnection(url, "sa", "");
        try (Statement st = setup.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS T(ID BIGINT PRIMARY KEY, SLOT INT, N BIGINT, P VARCHAR(200))");
            st.execute("CREATE TABLE IF NOT EXISTS W(SLOT INT PRIMARY KEY, N BIGINT)");
        }
        if (args[1].equals("check")) {
            System.out.println(check(setup));
            return;
        }
        boolean quiet = args[1].equals("quiet");
        ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        if (quiet) {
            MVStore mv = ((SessionLocal) setup.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore()
                    .getMvStore();
            mv.setAutoCommitDelay(Integer.MAX_VALUE);
            Field f = MVStore.class.getDeclaredField("autoCommitMemory");
            f.setAccessible(true);
            f.setInt(mv, Integer.MAX_VALUE);
            Thread cp = new Thread(() -> {
                while (true) {
                    lock.writeLock().lock();
                    try {
                        mv.commit();
                    } finally {
                        lock.writeLock().unlock();
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            cp.setDaemon(true);
            cp.start();
        }
        for (int t = 0; t < THREADS; t++) {
            int slot = t;
            Thread w = new Thread(() -> write(url, slot, quiet ? lock : null));
            w.start();
        }
        System.out.println("running");
    }

    private static void write(String url, int slot, ReentrantReadWriteLock lock) {
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.setAutoCommit(false);
            PreparedStatement ins = c.prepareStatement("INSERT INTO T VALUES (?, ?, ?, ?)");
            PreparedStatement set = c.prepareStatement("MERGE INTO W KEY(SLOT) VALUES (?, ?)");
            long n;
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT COALESCE(MAX(N), -1) FROM T WHERE SLOT = " + slot)) {
                rs.next();
                n = rs.getLong(1) + 1;
            }
            c.commit();
            String pad = "x".repeat(100);
            for (;; n++) {
                ins.setLong(1, slot * 1_000_000_000L + n);
                ins.setInt(2, slot);
                ins.setLong(3, n);
                ins.setString(4, pad);
                set.setInt(1, slot);
                set.setLong(2, n);
                call(lock, ins::executeUpdate);
                call(lock, set::executeUpdate);
                call(lock, () -> {
                    c.commit();
                    return 0;
                });
            }
        } catch (SQLException e) {
            // A kill is the normal end; anything else is reported to the parent through the output.
            System.out.println("writer " + slot + " failed: " + e);
        }
    }

    private interface Call {
        int run() throws SQLException;
    }

    private static void call(ReentrantReadWriteLock lock, Call call) throws SQLException {
        if (lock == null) {
            call.run();
            return;
        }
        lock.readLock().lock();
        try {
            call.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    private static String check(Connection c) throws SQLException {
        StringBuilder bad = new StringBuilder();
        for (int slot = 0; slot < THREADS; slot++) {
            long counter = -1;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT N FROM W WHERE SLOT = " + slot)) {
                if (rs.next()) {
                    counter = rs.getLong(1);
                }
            }
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT COALESCE(MAX(N), -1), COUNT(*) FROM T WHERE SLOT = " + slot)) {
                rs.next();
                long max = rs.getLong(1);
                long count = rs.getLong(2);
                if (counter != max || count != max + 1) {
                    bad.append(" slot ").append(slot).append(": W=").append(counter).append(" max(T)=").append(max)
                            .append(" count(T)=").append(count);
                }
            }
        }
        // A row left marked with a transaction that no longer exists makes a fresh update wait.
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCK_TIMEOUT 100");
            st.executeUpdate("UPDATE T SET P = P");
            st.executeUpdate("UPDATE W SET N = N");
        } catch (SQLException e) {
            bad.append(" leftover: ").append(e.getMessage().split("\n")[0]);
        } finally {
            c.rollback();
        }
        return bad.length() == 0 ? "consistent" : "INCONSISTENT" + bad;
    }
}
