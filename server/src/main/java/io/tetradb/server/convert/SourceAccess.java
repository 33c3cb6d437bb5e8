package io.tetradb.server.convert;

import io.tetradb.client.ErrorCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the source with the engine that wrote it, read-only (the originals are never
 * written, not even by the engine's own housekeeping): the URL for a single file, a page
 * store or a split file (its segments seen through links in the work folder when they
 * are not all beside the data file), and the accounts to try: the one given, the
 * database's own engine account ({@code Structure/engine.key}), then H2's default
 * {@code SA} with an empty password. What goes wrong becomes an anomaly with advice.
 *
 * <p>The conversion's thread.
 */
final class SourceAccess {
    /** H2's code for a wrong user name or password (both 1.4 and 2.x). */
    private static final int WRONG_USER_OR_PASSWORD = 28000;
    /** H2's code for a database already opened by another process. */
    private static final int DATABASE_ALREADY_OPEN = 90020;
    private static final int FILE_CORRUPTED = 90030;

    private SourceAccess() {
    }

    /** The open source: its first connection, and how to open more (the account that worked). */
    record Source(Connection connection, ParallelDigest.Connections more) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    static Source open(LegacyEngine engine, ConversionPlan plan, Path workDir) throws IOException {
        String url = url(plan, workDir);
        List<String[]> accounts = new ArrayList<>();
        ConversionOptions o = plan.options();
        if (o.sourceUser() != null) {
            accounts.add(new String[] {o.sourceUser(), o.sourcePassword() == null ? "" : o.sourcePassword()});
        } else {
            Path key = plan.sourceRoot() == null ? null : plan.sourceRoot().resolve("Structure").resolve("engine.key");
            if (key != null && Files.isRegularFile(key)) {
                accounts.add(new String[] {DatabaseConverter.ADMIN_ACCOUNT,
                        Files.readString(key, StandardCharsets.UTF_8).trim()});
            }
            accounts.add(new String[] {"SA", o.sourcePassword() == null ? "" : o.sourcePassword()});
        }
        SQLException last = null;
        for (String[] a : accounts) {
            try {
                Connection c = engine.connect(url, a[0], a[1]);
                return new Source(c, () -> engine.connect(url, a[0], a[1]));
            } catch (SQLException e) {
                last = e;
                if (e.getErrorCode() != WRONG_USER_OR_PASSWORD) {
                    break;
                }
            }
        }
        throw anomaly(plan, last);
    }

    private static ConversionException anomaly(ConversionPlan plan, SQLException e) {
        String msg = e == null ? "no account to try" : e.getMessage();
        int code = e == null ? 0 : e.getErrorCode();
        String advice;
        String what;
        if (code == WRONG_USER_OR_PASSWORD) {
            what = "H2 " + plan.readerVersion() + " refused the user name or password.";
            advice = "Give the source's H2 user with --source-user U and its password in $TETRA_SOURCE_PASSWORD "
                    + "(or --source-password-file F), then run: " + plan.command();
        } else if (code == DATABASE_ALREADY_OPEN || (msg != null && msg.contains("already in use"))) {
            what = "The data file is in use by another program.";
            advice = "Stop the program that has it open (another server, an H2 console), then run: " + plan.command();
        } else if (code == FILE_CORRUPTED || (msg != null && msg.toLowerCase(java.util.Locale.ROOT).contains("corrupt"))) {
            what = "H2 " + plan.readerVersion() + " finds the data file damaged.";
            advice = "Restore it from a backup, or recover what can be read with H2 " + plan.readerVersion()
                    + "'s Recover tool (java -cp h2-" + plan.readerVersion() + ".jar org.h2.tools.Recover), then "
                    + "convert the recovered database.";
        } else {
            what = "H2 " + plan.readerVersion() + " cannot open the data file.";
            advice = "Check that the file is a complete H2 database and readable. If it is damaged, restore it from "
                    + "a backup, or recover what can be read with H2 " + plan.readerVersion() + "'s Recover tool "
                    + "(java -cp h2-" + plan.readerVersion() + ".jar org.h2.tools.Recover). Then run: " + plan.command();
        }
        String anomaly = what + " (" + msg + ")";
        return new ConversionException(ErrorCode.CONVERSION_ANOMALY, "The check of " + plan.dataFile()
                + " found an anomaly: " + anomaly + " Nothing was changed.", advice, List.of(anomaly), e);
    }

    /** The read-only JDBC URL of the source. */
    static String url(ConversionPlan plan, Path workDir) throws IOException {
        Path dataFile = plan.dataFile();
        String base = ConversionPlan.baseName(dataFile);
        Path at = dataFile.getParent();
        boolean split = !plan.segments().isEmpty();
        if (split) {
            boolean together = true;
            for (ConversionPlan.Segment s : plan.segments()) {
                together &= s.path().getParent().equals(at);
            }
            if (!together) {
                // The segments are in several folders: H2 finds them through links in one.
                Path links = workDir.resolve("source");
                Files.createDirectories(links);
                String name = dataFile.getFileName().toString();
                try {
                    // H2 looks for the segments beside the real path of the first file: that one must not be
                    // a symbolic link (a hard link, or a copy where the disk has none; it is never written).
                    try {
                        Files.createLink(links.resolve(name), dataFile);
                    } catch (UnsupportedOperationException | IOException e) {
                        Files.copy(dataFile, links.resolve(name));
                    }
                    for (ConversionPlan.Segment s : plan.segments()) {
                        Files.createSymbolicLink(links.resolve(name + "." + s.index() + ".part"), s.path());
                    }
                } catch (UnsupportedOperationException | IOException e) {
                    throw new ConversionException(ErrorCode.CONVERSION_FAILED, "The segments are in several folders and "
                            + "this system cannot link them together (" + e.getMessage() + "). Nothing was changed.",
                            "Put every segment beside the data file, then run: " + plan.command());
                }
                at = links;
            }
        }
        String path = at.resolve(base).toAbsolutePath().toString();
        StringBuilder url = new StringBuilder("jdbc:h2:").append(split ? "split:" : "file:").append(path)
                // Lazy: the check's and the verification's reads stream instead of holding (or spilling) each result.
                .append(";ACCESS_MODE_DATA=r;IFEXISTS=TRUE;DB_CLOSE_ON_EXIT=FALSE;LAZY_QUERY_EXECUTION=1");
        if (plan.format().kind() == DataFileFormat.Kind.PAGE_STORE) {
            url.append(";MV_STORE=FALSE");
        }
        return url.toString();
    }
}
