package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.client.LogFilter;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.LogOperationInfo;
import io.tetradb.protocol.LogStatusReply;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * {@code tetra-admin log status | show | new}: the server's log file (docs/log-file.md). Admin
 * role. {@code new} is {@link LogNewCommand}.
 *
 * <p>JSON shapes ({@code --json}): {@code log status} is {@code {"file", "segment",
 * "segmentCreated", "firstOperation", "lastOperation", "sizeBytes", "lastSync", "syncMode",
 * "writable", "failure", "syncs", "transactions", "operations", "operationsPerSync",
 * "bytesWritten", "largestBatch"}} (times ISO-8601 UTC, {@code null} for no sync yet or no
 * failure); {@code log show} is {@code {"operations": [{"operation", "time", "timeMillis", "user",
 * "session", "clientAddress", "kind", "schema", "table", "summary", "transaction"}], "count",
 * "next"}} with {@code time} ISO-8601 in the local zone with its offset and {@code next} the
 * operation to go on from when {@code --limit} stopped the list (else {@code null}).
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "log", description = "Show the log file: its state, and the operations it holds; close a segment "
        + "without a backup.",
        subcommands = {LogCommand.Status.class, LogCommand.Show.class, LogNewCommand.class})
public final class LogCommand extends AdminCommand {
    private static final String LABEL = "%-12s%s";

    @Override
    public Integer call() {
        throw usage("Missing subcommand: status, show or new.");
    }

    /**
     * Adds {@code log} to the top command. {@code log show --user U} filters by user, where
     * every other command's {@code --user} is the global login option: picocli refuses a
     * subcommand's option of the same name as an inherited one, so {@code show} gets the
     * inherited one removed and its own added here (the login user goes before {@code log}).
     */
    public static void register(CommandLine root) {
        CommandLine log = new CommandLine(new LogCommand());
        root.addSubcommand("log", log);
        CommandLine show = log.getSubcommands().get("show");
        CommandSpec spec = show.getCommandSpec();
        OptionSpec inherited = spec.findOption("--user");
        if (inherited != null) {
            spec.remove(inherited);
        }
        Show cmd = show.getCommand();
        spec.addOption(OptionSpec.builder("--user").paramLabel("U").type(String.class)
                .description("Only the operations of this Tetra user (case-insensitive). Here --user filters: "
                        + "give the login user before the command (tetra-admin --user NAME log show ...).")
                .setter(new CommandLine.Model.ISetter() {
                    @Override
                    public <T> T set(T value) {
                        cmd.user = (String) value;
                        return null;
                    }
                }).build());
    }

    /** {@code log status}: the current segment, the last sync, whether it can be written, the counters. */
    @Command(name = "status", description = "Show the log file's current segment, last sync, state and counters.")
    public static final class Status extends AdminCommand {
        @Override
        public Integer call() {
            AdminMain main = main();
            LogStatusReply s;
            try (TetraClient client = main.connect()) {
                s = client.admin().logStatus();
            }
            if (main.json()) {
                ObjectNode n = main.mapper().createObjectNode();
                n.put("file", s.getFile());
                n.put("segment", s.getSegment());
                n.put("segmentCreated", s.getSegmentCreatedMillis() == 0 ? null
                        : Display.isoTime(s.getSegmentCreatedMillis()));
                n.put("firstOperation", s.getFirstOperation());
                n.put("lastOperation", s.getLastOperation());
                n.put("sizeBytes", s.getSizeBytes());
                n.put("lastSync", s.getLastSyncMillis() == 0 ? null : Display.isoTime(s.getLastSyncMillis()));
                n.put("syncMode", s.getSyncMode());
                n.put("writable", s.getWritable());
                n.put("failure", s.getFailure().isEmpty() ? null : s.getFailure());
                n.put("syncs", s.getSyncs());
                n.put("transactions", s.getTransactions());
                n.put("operations", s.getOperations());
                n.put("operationsPerSync", s.getOperationsPerSync());
                n.put("bytesWritten", s.getBytesWritten());
                n.put("largestBatch", s.getLargestBatch());
                main.printJson(n);
                return OK;
            }
            PrintStream out = main.out();
            out.println(String.format(LABEL, "Log file:", s.getFile() + " (segment " + s.getSegment()
                    + (s.getSegmentCreatedMillis() == 0 ? "" : ", started " + Display.time(s.getSegmentCreatedMillis()))
                    + ")"));
            out.println(String.format(LABEL, "Operations:", s.getLastOperation() < s.getFirstOperation()
                    ? "none yet (the first will be " + s.getFirstOperation() + ")"
                    : s.getFirstOperation() + " to " + s.getLastOperation()));
            out.println(String.format(LABEL, "Size:", Display.bytes(s.getSizeBytes()) + " (" + s.getSizeBytes()
                    + " bytes)"));
            out.println(String.format(LABEL, "Last sync:", s.getLastSyncMillis() == 0 ? "none since the server started"
                    : Display.time(s.getLastSyncMillis())));
            out.println(String.format(LABEL, "Sync mode:", s.getSyncMode()));
            out.println(String.format(LABEL, "State:", s.getWritable() ? "writable"
                    : "NOT WRITABLE, writes are refused with 1274: " + s.getFailure()));
            out.println(String.format(LABEL, "Counters:", String.format(Locale.ROOT,
                    "%d syncs, %d transactions, %d operations, %.2f operations per sync (since the server opened"
                            + " the log)", s.getSyncs(), s.getTransactions(), s.getOperations(),
                    s.getOperationsPerSync())));
            out.flush();
            return OK;
        }
    }

    /**
     * {@code log show [--from OP|TIME] [--to OP|TIME] [--table T] [--user U] [--limit N]}: the
     * operations of the current segment, one line each, in order. The server filters; the
     * command fetches as many replies as it takes.
     */
    @Command(name = "show", description = "List the log's operations in order: the current segment's, and with "
            + "--from before it the earlier segments' (in Data/ and archived beside the backups).")
    public static final class Show extends AdminCommand {
        @Option(names = "--from", paramLabel = "OP|TIME", description = "From this operation number, or from this "
                + "time (ISO-8601: 2026-12-01T08:00, 2026-12-01T08:00:00+01:00, or a date).")
        private String from;

        @Option(names = "--to", paramLabel = "OP|TIME", description = "Up to this operation number, or up to this "
                + "time (a date: through its end).")
        private String to;

        @Option(names = "--table", paramLabel = "T", description = "Only this table (NAME or SCHEMA.NAME, "
                + "case-insensitive); structure changes naming it count too.")
        private String table;

        /** {@code --user U}, added by {@link LogCommand#register}. */
        private String user;

        @Option(names = "--limit", paramLabel = "N", description = "At most N operations (default "
                + LogFilter.DEFAULT_LIMIT + ", at most " + LogFilter.MAX_LIMIT + ").")
        private int limit = LogFilter.DEFAULT_LIMIT;

        @Override
        public Integer call() {
            AdminMain main = main();
            LogFilter filter = filter();
            ArrayNode ops = main.json() ? main.mapper().createArrayNode() : null;
            PrintStream out = main.out();
            long[] count = new long[1];
            long next;
            try (TetraClient client = main.connect()) {
                next = client.admin().logShow(filter, op -> {
                    count[0]++;
                    if (ops != null) {
                        json(ops.addObject(), op);
                    } else {
                        out.println(line(op));
                    }
                });
            }
            if (ops != null) {
                ObjectNode n = main.mapper().createObjectNode();
                n.set("operations", ops);
                n.put("count", count[0]);
                n.put("next", next == 0 ? null : next);
                main.printJson(n);
                return OK;
            }
            out.println("(" + count[0] + " operation" + (count[0] == 1 ? "" : "s")
                    + (next == 0 ? ")" : "; --limit reached, more follow from operation " + next + ")"));
            out.flush();
            return OK;
        }

        private LogFilter filter() {
            if (limit < 1 || limit > LogFilter.MAX_LIMIT) {
                throw usage("--limit must be from 1 to " + LogFilter.MAX_LIMIT + ".");
            }
            LogFilter.Builder b = LogFilter.builder().limit(limit).table(table).user(user);
            if (from != null) {
                if (isNumber(from)) {
                    b.fromOperation(operation("--from", from));
                } else {
                    b.fromTime(time("--from", from, false));
                }
            }
            if (to != null) {
                if (isNumber(to)) {
                    b.toOperation(operation("--to", to));
                } else {
                    b.toTime(time("--to", to, true));
                }
            }
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw usage("--to is before --from.");
            }
        }

        private static boolean isNumber(String s) {
            return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
        }

        private long operation(String option, String s) {
            try {
                long n = Long.parseLong(s);
                if (n < 1) {
                    throw usage(option + ": operations are numbered from 1.");
                }
                return n;
            } catch (NumberFormatException e) {
                throw usage(option + ": " + s + " is not an operation number.");
            }
        }

        /** An ISO-8601 time ({@link Times#parse}); a usage error otherwise. */
        private Instant time(String option, String s, boolean endOfDay) {
            try {
                return Times.parse(option, s, endOfDay);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }

        static String line(LogOperationInfo op) {
            return op.getOperation() + "  " + Display.localIsoTime(op.getTimeMillis()) + "  user=" + op.getUser()
                    + "  session=" + op.getSession() + "  from=" + (op.getClientAddress().isEmpty() ? "-"
                    : op.getClientAddress()) + "  " + op.getKind() + "  " + tableName(op) + "  " + op.getSummary()
                    + (op.getCancelled() ? "  (cancelled)" : "");
        }

        private static String tableName(LogOperationInfo op) {
            if (op.getTable().isEmpty()) {
                return "-";
            }
            return op.getSchema().isEmpty() ? op.getTable() : op.getSchema() + "." + op.getTable();
        }

        static void json(ObjectNode o, LogOperationInfo op) {
            o.put("operation", op.getOperation());
            o.put("time", Display.localIsoTime(op.getTimeMillis()));
            o.put("timeMillis", op.getTimeMillis());
            o.put("cancelled", op.getCancelled());
            o.put("user", op.getUser());
            o.put("session", op.getSession());
            o.put("clientAddress", op.getClientAddress());
            o.put("kind", op.getKind());
            o.put("schema", op.getSchema().isEmpty() ? null : op.getSchema());
            o.put("table", op.getTable().isEmpty() ? null : op.getTable());
            o.put("summary", op.getSummary());
            o.put("transaction", op.getTransactionFirstOperation());
        }
    }
}
