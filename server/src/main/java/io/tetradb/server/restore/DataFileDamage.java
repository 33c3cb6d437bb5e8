package io.tetradb.server.restore;

import io.tetradb.server.DataLayout;
import io.tetradb.server.backup.SegmentArchiver;
import io.tetradb.server.log.LogService;
import io.tetradb.server.sql.Database;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;

/**
 * What the server checks of its data file at start (docs/restore-with-log.md): that it is there when
 * the database's log is; that H2 opens it (a truncated file, a destroyed header, a chunk H2
 * cannot read are H2's "file corrupted"); that it reads back, every table to its last row and
 * value; and that it is not older than the log in {@code Data/} reaches back. Each method
 * returns the damage found, in words, or null. Another failure (the file locked by another
 * process, a permission) is not damage: the start fails with it as before.
 *
 * <p>Stateless; the server's main thread at start.
 */
public final class DataFileDamage {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DataFileDamage.class);
    /** H2's FILE_CORRUPTED_1. */
    private static final int H2_FILE_CORRUPTED = 90030;
    /** H2's MVStore errors for a corrupt file and a chunk that is not where the file says. */
    private static final int MV_FILE_CORRUPT = 6;
    private static final int MV_CHUNK_NOT_FOUND = 9;

    private DataFileDamage() {
    }

    /** Before the open: the data file is missing while the log of the database is in Data/. */
    public static String beforeOpen(DataLayout layout) throws IOException {
        if (Files.exists(layout.dataFile())) {
            return null;
        }
        if (!logged(layout)) {
            return null; // a new database
        }
        return "the data file " + layout.dataFile().getFileName() + " is missing (its log is in "
                + layout.dataDir() + ")";
    }

    /**
     * Before the conversion's check: the data file's header is no H2 header at all (destroyed)
     * while the database's log is there (this server has run it), so it is damage, not a file
     * to convert.
     */
    public static String unreadableHeader(DataLayout layout) throws IOException {
        if (!Files.isRegularFile(layout.dataFile()) || !logged(layout)) {
            return null;
        }
        io.tetradb.server.convert.DataFileFormat f = io.tetradb.server.convert.FormatDetector.detect(layout.dataFile());
        if (f.isCurrent() || f.isNewer() || f.needsConversion()) {
            return null;
        }
        return "H2 cannot open it: its header is not an H2 header (destroyed)";
    }

    private static boolean logged(DataLayout layout) throws IOException {
        return (Files.isRegularFile(layout.logFile()) && Files.size(layout.logFile()) > 0)
                || !SegmentArchiver.closedSegments(layout).isEmpty();
    }

    /** The open failed with {@code e}: the damage it tells, or null when it is another failure. */
    public static String ofFailure(Throwable e) {
        if (e instanceof LogService.DataFileBehindLog behind) {
            return behind.getMessage();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getErrorCode() == H2_FILE_CORRUPTED) {
                return "H2 cannot open it: " + firstLine(s.getMessage());
            }
            if (t instanceof org.h2.mvstore.MVStoreException m
                    && (m.getErrorCode() == MV_FILE_CORRUPT || m.getErrorCode() == MV_CHUNK_NOT_FOUND)) {
                return "H2 cannot read it: " + firstLine(m.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** After the open: every table reads back to its last row and value. */
    public static String afterOpen(Database database) {
        long started = System.nanoTime();
        try {
            RestoreService.Check c = RestoreService.readEverything(database.system());
            LOG.info("Data file checked: {} table(s), {} row(s) read back in {} ms.", c.tables(), c.rows(),
                    (System.nanoTime() - started) / 1_000_000);
            return null;
        } catch (SQLException | IOException | RuntimeException e) {
            return "it does not read back: " + firstLine(String.valueOf(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
