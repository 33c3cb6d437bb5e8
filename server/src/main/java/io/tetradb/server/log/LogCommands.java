package io.tetradb.server.log;

import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.LogOperationInfo;
import io.tetradb.protocol.LogOperationKind;
import io.tetradb.protocol.LogShowReply;
import io.tetradb.protocol.LogShowRequest;
import io.tetradb.protocol.LogStatusReply;
import io.tetradb.protocol.LogSyncMode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.RowChange;
import io.tetradb.protocol.log.SegmentHeader;
import io.tetradb.protocol.log.SequenceAdvance;
import io.tetradb.protocol.log.Statement;
import io.tetradb.protocol.log.TableRef;
import io.tetradb.protocol.log.Transaction;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Answers the admin requests {@code LogStatusRequest} and {@code LogShowRequest}
 * ({@code tetra-admin log status} and {@code log show}, docs/log-file.md): the state and
 * counters of the open log, and the operations of its current segment filtered by number,
 * commit time, table and user while the file is read.
 *
 * <p>Invariants, and how they are kept:
 * <ol>
 * <li>A frame being appended is never read: the file is read with a {@link SegmentReader}
 *     only up to the writer's {@link OperationLog#position()}, taken before it is opened.</li>
 * <li>The segment read is the log's current one: when it was closed (rolled) or created again
 *     between taking that end and opening the file, the header read differs from the log's
 *     (or the file is briefly missing) and the read starts over, a few times at most.</li>
 * <li>Memory is bounded: one transaction at a time besides the reply; the reply holds at most
 *     {@code limit} operations and at most the frame budget (the server's {@code maxFrameSize}
 *     and the client's, less room for the envelope), each operation's summary being bounded
 *     ({@link #MAX_SUMMARY}; large values shown by their size).</li>
 * <li>Nothing is skipped silently: a reply that stops while more operations pass the filter
 *     says so ({@code truncated}) and where to go on ({@code next_operation}).</li>
 * </ol>
 *
 * <p>Runs on the requesting session's worker task (through {@code AdminService}); stateless
 * besides the log it is given, so any number of sessions may read at once.
 */
public final class LogCommands {
    /** Operations per reply when the request names no limit. */
    public static final int DEFAULT_LIMIT = 1000;
    /** The most operations one request may ask for. */
    public static final int MAX_LIMIT = 100_000;
    /** Characters of an operation's summary at most. */
    static final int MAX_SUMMARY = 240;
    /** Characters of one value's text at most before it is cut. */
    static final int MAX_VALUE_TEXT = 48;
    /** Byte strings longer than this are shown as their size only. */
    static final int MAX_BYTES_SHOWN = 16;
    /** Room kept in a reply frame for the envelope (request id, reply wrappers, the reply's other fields). */
    private static final int ENVELOPE_BYTES = 256;
    /** Reads of the segment tried when it is closed (rolled) or created again meanwhile. */
    private static final int ATTEMPTS = 5;
    /** How long a missing current segment is waited for (it is being replaced by the next one). */
    private static final long MISSING_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Supplier<LogService> logs;
    private final int maxFrameSize;
    private final io.tetradb.server.DataLayout layout;
    private final HistorySource history;

    /** The archives kept and their segments (the backup destination's history). */
    @FunctionalInterface
    public interface HistorySource {
        io.tetradb.protocol.BackupHistory get() throws IOException;
    }

    /**
     * @param logs         the server's log service (its open log may change across restores)
     * @param maxFrameSize the server's {@code maxFrameSize}: a reply never exceeds it
     * @param layout       the database's folders (the closed segments in {@code Data/})
     * @param history      where the segments archived beside the backups are
     */
    public LogCommands(Supplier<LogService> logs, int maxFrameSize, io.tetradb.server.DataLayout layout,
                       HistorySource history) {
        this.logs = logs;
        this.maxFrameSize = maxFrameSize;
        this.layout = layout;
        this.history = history;
    }

    /** {@code log status}. */
    public LogStatusReply status() {
        OperationLog log = openLog();
        LogStatus s = log.status();
        return LogStatusReply.newBuilder().setFile(s.file()).setSegment(s.segment())
                .setFirstOperation(s.firstOperation()).setLastOperation(s.lastOperation()).setSizeBytes(s.sizeBytes())
                .setLastSyncMillis(s.lastSyncMillis()).setSyncMode(log.syncMode().word())
                .setSync(log.syncMode() == SyncMode.EVERY_SECOND ? LogSyncMode.LOG_SYNC_EVERY_SECOND
                        : LogSyncMode.LOG_SYNC_COMMIT)
                .setWritable(s.writable()).setFailure(s.failure() == null ? "" : s.failure())
                .setSyncs(s.syncs()).setTransactions(s.transactions()).setOperations(s.operations())
                .setOperationsPerSync(s.operationsPerSync()).setBytesWritten(s.bytesWritten())
                .setLargestBatch(s.largestBatch()).setSegmentCreatedMillis(log.header().getCreatedAtMillis())
                .build();
    }

    /**
     * {@code log show}: the operations that pass the request's filter, in order, at most its
     * limit and within the frame budget: those of the current segment and, when the filter
     * starts before it (an operation or a time before the segment's), of the earlier ones: the
     * closed segments in {@code Data/} and the segments archived in the backup destination that
     * can hold such operations (decompressed into a temporary file while read). Operations a
     * rollback cancelled are listed with {@code cancelled}.
     *
     * @throws TetraException 2010 for a bad filter, 1403 when no log is open, 1413 when a
     *                        segment is damaged
     */
    public LogShowReply show(LogShowRequest req) throws IOException {
        Filter f = Filter.of(req);
        int budget = maxFrameSize - ENVELOPE_BYTES;
        if (req.getMaxReplyBytes() > 0) {
            budget = Math.min(budget, req.getMaxReplyBytes() - ENVELOPE_BYTES);
        }
        if (budget < 1024) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "max_reply_bytes must be at least "
                    + (1024 + ENVELOPE_BYTES) + ".");
        }
        OperationLog log = openLog();
        long missingUntil = 0;
        for (int attempt = 1; ; attempt++) {
            SegmentHeader expected = log.header();
            // The end and the last operation of one moment: the frames up to the end hold exactly those operations.
            OperationLog.Position at = log.position();
            Page page = new Page(f, budget, at.lastOperation(), expected.getFirstOperation());
            try {
                if (f.startsBefore(expected) && !earlier(expected, page)) {
                    return page.build();
                }
                try (SegmentReader r = SegmentReader.open(log.file(), expected.getDatabaseId(), at.offset())) {
                    if (sameSegment(r.header(), expected) && sameSegment(log.header(), expected)) {
                        page.timeline = page.timeline.union(Timeline.of(r.header()));
                        page.read(r);
                        return page.build();
                    }
                }
            } catch (NoSuchFileException e) {
                // The segment is being closed (renamed) and the next one not created yet: the writer
                // creates and forces it, which a busy disk may take a while to do. Wait for it, within
                // a time rather than a number of attempts.
                long now = System.nanoTime();
                if (missingUntil == 0) {
                    missingUntil = now + MISSING_WAIT_NANOS;
                } else if (now - missingUntil > 0) {
                    throw new TetraException(ErrorCode.LOG_MISSING, "The log file " + log.file().getFileName()
                            + " is missing.");
                }
                attempt = 0;   // a new segment: its reads have their attempts again
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                continue;
            }
            if (attempt >= ATTEMPTS) {
                throw new TetraException(ErrorCode.LOG_SEGMENT_MISSING, "The log file's segment changed while it was"
                        + " being read, " + ATTEMPTS + " times; try again.");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(attempt));
        }
    }

    /**
     * Reads into {@code page} the segments before the current one ({@code current}) that can
     * hold operations the filter asks for, in the order of their operations. Returns false
     * when the page is full.
     */
    private boolean earlier(SegmentHeader current, Page page) throws IOException {
        Filter f = page.filter;
        List<io.tetradb.protocol.LogSegmentFile> archived = new java.util.ArrayList<>();
        io.tetradb.protocol.BackupHistory h = history.get();
        for (io.tetradb.protocol.LogSegmentFile s : io.tetradb.server.backup.SegmentArchiver.archivedSegments(h)) {
            boolean holdsSome = s.getLastOperation() >= s.getFirstOperation()
                    && s.getFirstOperation() < current.getFirstOperation();
            boolean wanted = f.fromOperation > 0 ? s.getLastOperation() >= f.fromOperation
                    : s.getArchivedAtMillis() == 0 || s.getArchivedAtMillis() >= f.fromTime;
            boolean notAfter = f.toOperation == 0 || s.getFirstOperation() <= f.toOperation;
            if (holdsSome && wanted && notAfter) {
                archived.add(s);
            }
        }
        archived.sort(java.util.Comparator.comparingLong(io.tetradb.protocol.LogSegmentFile::getFirstOperation));
        io.tetradb.server.backup.BackupSettings backupSettings = io.tetradb.server.backup.BackupSettings.load(layout);
        io.tetradb.server.backup.ArchiveStore store = backupSettings.store();
        io.tetradb.server.backup.BackupKey.Source keys = io.tetradb.server.backup.BackupKey.Source.of(backupSettings);
        java.util.Set<String> present = archived.isEmpty() ? java.util.Set.of() : store.names();
        for (io.tetradb.protocol.LogSegmentFile s : archived) {
            if (!present.contains(s.getFile())) {
                continue; // backup window names the gap
            }
            java.nio.file.Path plain = java.nio.file.Files.createTempFile(layout.root(), ".log-show-", ".journal");
            try {
                io.tetradb.server.backup.SegmentArchiver.decompress(store, s.getFile(), plain, keys);
                if (!readWhole(plain, current.getDatabaseId(), page)) {
                    return false;
                }
            } finally {
                java.nio.file.Files.deleteIfExists(plain);
            }
        }
        for (java.nio.file.Path p : io.tetradb.server.backup.SegmentArchiver.closedSegmentsInOrder(layout)) {
            if (!readWhole(p, current.getDatabaseId(), page)) {
                return false;
            }
        }
        return true;
    }

    private static boolean readWhole(java.nio.file.Path file, String databaseId, Page page) throws IOException {
        try (SegmentReader r = SegmentReader.open(file, databaseId)) {
            page.timeline = page.timeline.union(Timeline.of(r.header()));
            return page.read(r);
        }
    }

    private static boolean sameSegment(SegmentHeader a, SegmentHeader b) {
        return a.getSegment() == b.getSegment() && a.getFirstOperation() == b.getFirstOperation();
    }

    /** One reply being filled: the operations that pass the filter, within its limit and budget. */
    private static final class Page {
        final Filter filter;
        final int budget;
        final LogShowReply.Builder reply;
        /** Operations already listed end here: a segment read twice (archived and closed) lists them once. */
        long listedThrough;
        long size;
        Timeline timeline = Timeline.none();

        Page(Filter filter, int budget, long lastOperation, long segmentFirstOperation) {
            this.filter = filter;
            this.budget = budget;
            this.reply = LogShowReply.newBuilder().setSegmentFirstOperation(segmentFirstOperation)
                    .setLastOperation(lastOperation);
        }

        /** Adds what passes the filter in {@code r}; false when the page is full (then truncated). */
        boolean read(SegmentReader r) throws IOException {
            Filter f = filter;
            for (Transaction t = r.next(); t != null; t = r.next()) {
                long first = t.getFirstOperation();
                long last = first + t.getOperationsCount() - 1;
                if (f.toOperation > 0 && first > f.toOperation) {
                    return true;
                }
                if (last <= listedThrough || last < f.fromOperation || !f.timeAndUser(t)) {
                    continue;
                }
                boolean cancelled = timeline.cancels(t);
                for (int i = 0; i < t.getOperationsCount(); i++) {
                    long op = first + i;
                    if (op <= listedThrough || op < f.fromOperation || (f.toOperation > 0 && op > f.toOperation)) {
                        continue;
                    }
                    Operation o = t.getOperations(i);
                    if (!f.table(o)) {
                        continue;
                    }
                    LogOperationInfo info = info(t, op, o);
                    if (cancelled) {
                        info = info.toBuilder().setCancelled(true).build();
                    }
                    int bytes = info.getSerializedSize() + 6;
                    if (reply.getOperationsCount() >= f.limit || size + bytes > budget) {
                        reply.setTruncated(true).setNextOperation(op);
                        return false;
                    }
                    size += bytes;
                    reply.addOperations(info);
                }
                listedThrough = Math.max(listedThrough, last);
            }
            return true;
        }

        LogShowReply build() {
            return reply.build();
        }
    }

    private OperationLog openLog() {
        LogService s = logs.get();
        OperationLog log = s == null ? null : s.log();
        if (log == null) {
            throw new TetraException(ErrorCode.LOG_MISSING, "The log file is not open (the database is closed,"
                    + " for example during an in-place restore); try again once it is open.");
        }
        return log;
    }

    // ---- one operation as log show lists it

    /** Operation {@code number} of {@code t} as {@code log show} lists it (also a rollback's dry run). */
    public static LogOperationInfo info(Transaction t, long number, Operation o) {
        LogOperationInfo.Builder b = LogOperationInfo.newBuilder().setOperation(number)
                .setTimeMillis(t.getCommitTimeMillis()).setUser(cut(t.getUser(), 128)).setSession(t.getSession())
                .setClientAddress(cut(t.getClientAddress(), 128)).setTransactionFirstOperation(t.getFirstOperation());
        switch (o.getKindCase()) {
            case INSERT -> b.setKind("INSERT").setOperationKind(LogOperationKind.LOG_INSERT)
                    .setSummary(values(o.getInsert().getNewValuesList()));
            case UPDATE -> b.setKind("UPDATE").setOperationKind(LogOperationKind.LOG_UPDATE)
                    .setSummary(update(o.getUpdate()));
            case DELETE -> b.setKind("DELETE").setOperationKind(LogOperationKind.LOG_DELETE)
                    .setSummary(key(o.getDelete()));
            case DDL -> {
                Statement st = o.getDdl();
                b.setKind(st.getKind().isEmpty() ? "DDL" : cut(st.getKind(), 64))
                        .setOperationKind(LogOperationKind.LOG_DDL)
                        .setSchema(cut(st.getSchema(), 128))
                        .setSummary(cut(st.getSql().replaceAll("\\s+", " ").strip(), MAX_SUMMARY));
            }
            case SEQUENCE -> {
                SequenceAdvance s = o.getSequence();
                b.setKind("SEQUENCE").setOperationKind(LogOperationKind.LOG_SEQUENCE);
                if (s.hasSequence()) {
                    b.setSchema(cut(s.getSequence().getSchema(), 128)).setSummary(cut("sequence "
                            + s.getSequence().getSchema() + "." + s.getSequence().getTable() + " next "
                            + s.getNextValue(), MAX_SUMMARY));
                } else {
                    table(b, s.getTable());
                    b.setSummary(cut("identity " + s.getColumn() + " next " + s.getNextValue(), MAX_SUMMARY));
                }
                return b.build();
            }
            case CONTENT -> {
                int n = o.getContent().getRowsCount();
                b.setKind("CONTENT").setOperationKind(LogOperationKind.LOG_CONTENT)
                        .setSummary(n + (n == 1 ? " row" : " rows"));
                table(b, o.getContent().getTable());
                return b.build();
            }
            default -> b.setKind("UNKNOWN");
        }
        if (o.hasInsert()) {
            table(b, o.getInsert().getTable());
        } else if (o.hasUpdate()) {
            table(b, o.getUpdate().getTable());
        } else if (o.hasDelete()) {
            table(b, o.getDelete().getTable());
        }
        return b.build();
    }

    private static void table(LogOperationInfo.Builder b, TableRef t) {
        b.setSchema(cut(t.getSchema(), 128)).setTable(cut(t.getTable(), 128));
    }

    /** {@code key (1): #2='new', #3=NULL}: the key and the columns (1-based) whose value changed. */
    private static String update(RowChange c) {
        StringBuilder sb = new StringBuilder(key(c)).append(':');
        int changed = 0;
        for (int i = 0; i < c.getNewValuesCount() && sb.length() < MAX_SUMMARY; i++) {
            if (i < c.getOldValuesCount() && c.getOldValues(i).equals(c.getNewValues(i))) {
                continue;
            }
            sb.append(changed++ == 0 ? " #" : ", #").append(i + 1).append('=').append(value(c.getNewValues(i)));
        }
        if (changed == 0) {
            sb.append(" no value changed");
        }
        return cut(sb.toString(), MAX_SUMMARY);
    }

    /** {@code key (1)} from the key columns, or the whole old row when the table has no key. */
    private static String key(RowChange c) {
        if (c.getKeyColumnsCount() == 0) {
            return values(c.getOldValuesList());
        }
        StringBuilder sb = new StringBuilder("key (");
        for (int i = 0; i < c.getKeyColumnsCount() && sb.length() < MAX_SUMMARY; i++) {
            int k = c.getKeyColumns(i);
            sb.append(i == 0 ? "" : ", ").append(k < c.getOldValuesCount() ? value(c.getOldValues(k))
                    : k < c.getNewValuesCount() ? value(c.getNewValues(k)) : "?");
        }
        return cut(sb.append(')').toString(), MAX_SUMMARY);
    }

    /** {@code (1, 'one', (70000 bytes))}, cut to {@link #MAX_SUMMARY}. */
    private static String values(List<Value> vs) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < vs.size() && sb.length() < MAX_SUMMARY; i++) {
            sb.append(i == 0 ? "" : ", ").append(value(vs.get(i)));
        }
        return cut(sb.append(')').toString(), MAX_SUMMARY);
    }

    /** One value in a few dozen characters at most: long texts cut with their length, long bytes as their size. */
    static String value(Value v) {
        switch (v.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET:
                return "NULL";
            case BOOL_VALUE:
                return v.getBoolValue() ? "TRUE" : "FALSE";
            case LONG_VALUE:
                return Long.toString(v.getLongValue());
            case INT_VALUE:
                return Integer.toString(v.getIntValue());
            case DOUBLE_VALUE:
                return Double.toString(v.getDoubleValue());
            case FLOAT_VALUE:
                return Float.toString(v.getFloatValue());
            case DECIMAL_VALUE:
                return number(v.getDecimalValue());
            case BIG_INTEGER_VALUE:
                return number(v.getBigIntegerValue());
            case BYTES_VALUE: {
                int n = v.getBytesValue().size();
                if (n > MAX_BYTES_SHOWN) {
                    return "(" + n + " bytes)";
                }
                StringBuilder sb = new StringBuilder("X'");
                for (byte x : v.getBytesValue().toByteArray()) {
                    sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
                }
                return sb.append('\'').toString();
            }
            case ARRAY_VALUE: {
                List<Value> items = v.getArrayValue().getValuesList();
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < items.size(); i++) {
                    if (sb.length() > MAX_VALUE_TEXT) {
                        sb.append(", ... (").append(items.size()).append(" elements)");
                        break;
                    }
                    sb.append(i == 0 ? "" : ", ").append(value(items.get(i)));
                }
                return sb.append(']').toString();
            }
            case STRING_VALUE:
                return text(v.getStringValue());
            case OTHER_VALUE:
                return text(v.getOtherValue());
            case DATE_VALUE:
                return v.getDateValue();
            case TIME_VALUE:
                return v.getTimeValue();
            case TIMESTAMP_VALUE:
                return v.getTimestampValue();
            case TIMESTAMP_TZ_VALUE:
                return v.getTimestampTzValue();
            case TIME_TZ_VALUE:
                return v.getTimeTzValue();
            case UUID_VALUE:
                return v.getUuidValue();
            default:
                return "?";
        }
    }

    private static String number(String s) {
        return s.length() <= MAX_VALUE_TEXT ? s : s.substring(0, MAX_VALUE_TEXT) + "... (" + s.length() + " digits)";
    }

    /** {@code 'text'}, line ends escaped; beyond {@link #MAX_VALUE_TEXT} characters cut, with the length. */
    private static String text(String s) {
        boolean cut = s.length() > MAX_VALUE_TEXT;
        int at = cut && Character.isHighSurrogate(s.charAt(MAX_VALUE_TEXT - 1)) ? MAX_VALUE_TEXT - 1 : MAX_VALUE_TEXT;
        String shown = cut ? s.substring(0, at) : s;
        shown = shown.replace("'", "''").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        return "'" + shown + (cut ? "'... (" + s.length() + " chars)" : "'");
    }

    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int at = max - 3;
        if (Character.isHighSurrogate(s.charAt(at - 1))) {
            at--;
        }
        return s.substring(0, at) + "...";
    }

    // ---- the filter

    /** A request's filter, checked. */
    private static final class Filter {
        final long fromOperation;
        final long toOperation;
        final long fromTime;
        final long toTime;
        final String schema;
        final String table;
        /** The table's name as a word not after a dot (a DDL in the session's schema names it so). */
        final Pattern tableWord;
        /** The table's name as a word, qualified or not. */
        final Pattern anyWord;
        /** SCHEMA.TABLE as words. */
        final Pattern qualifiedWord;
        final String user;
        final int limit;

        private Filter(LogShowRequest r) {
            fromOperation = r.getFromOperation();
            toOperation = r.getToOperation();
            fromTime = r.getFromTimeMillis();
            toTime = r.getToTimeMillis();
            String t = r.getTable().strip();
            int dot = t.lastIndexOf('.');
            schema = dot < 0 ? null : t.substring(0, dot);
            table = t.isEmpty() ? null : dot < 0 ? t : t.substring(dot + 1);
            String name = table == null ? null : "\"?" + Pattern.quote(table) + "\"?";
            int flags = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
            tableWord = name == null ? null : Pattern.compile("(?<![\\w$.\"])" + name + "(?![\\w$])", flags);
            anyWord = name == null ? null : Pattern.compile("(?<![\\w$])" + name + "(?![\\w$])", flags);
            qualifiedWord = name == null || schema == null ? null : Pattern.compile("(?<![\\w$])\"?"
                    + Pattern.quote(schema) + "\"?\\s*\\.\\s*" + name + "(?![\\w$])", flags);
            user = r.getUser().strip().isEmpty() ? null : r.getUser().strip();
            limit = r.getLimit() == 0 ? DEFAULT_LIMIT : r.getLimit();
        }

        /** Whether operations before segment {@code h} can pass: the filter starts before it. */
        boolean startsBefore(SegmentHeader h) {
            return (fromOperation > 0 && fromOperation < h.getFirstOperation())
                    || (fromOperation == 0 && fromTime > 0 && fromTime < h.getCreatedAtMillis());
        }

        static Filter of(LogShowRequest r) {
            if (r.getFromOperation() < 0 || r.getToOperation() < 0 || r.getFromTimeMillis() < 0
                    || r.getToTimeMillis() < 0) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Operation numbers and times must not be"
                        + " negative.");
            }
            if (r.getToOperation() > 0 && r.getToOperation() < r.getFromOperation()) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The range ends (operation "
                        + r.getToOperation() + ") before it starts (operation " + r.getFromOperation() + ").");
            }
            if (r.getToTimeMillis() > 0 && r.getToTimeMillis() < r.getFromTimeMillis()) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The time range ends before it starts.");
            }
            if (r.getLimit() > MAX_LIMIT) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The limit is at most " + MAX_LIMIT
                        + " operations per request: " + Integer.toUnsignedString(r.getLimit()) + ".");
            }
            if (r.getTable().length() > 512 || r.getUser().length() > 512) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "A table or user name of more than 512"
                        + " characters.");
            }
            return new Filter(r);
        }

        boolean timeAndUser(Transaction t) {
            long at = t.getCommitTimeMillis();
            return (fromTime == 0 || at >= fromTime) && (toTime == 0 || at <= toTime)
                    && (user == null || user.equalsIgnoreCase(t.getUser()));
        }

        /** Rows, contents and identity advances by their table; DDL when its text names the table. */
        boolean table(Operation o) {
            if (table == null) {
                return true;
            }
            return switch (o.getKindCase()) {
                case INSERT -> matches(o.getInsert().getTable());
                case UPDATE -> matches(o.getUpdate().getTable());
                case DELETE -> matches(o.getDelete().getTable());
                case CONTENT -> matches(o.getContent().getTable());
                case SEQUENCE -> o.getSequence().hasTable() && matches(o.getSequence().getTable());
                case DDL -> ddl(o.getDdl());
                default -> false;
            };
        }

        /**
         * A structure change names the table: {@code SCHEMA.TABLE} anywhere in its text, or
         * {@code TABLE} unqualified where the session's schema is the filter's (any schema when
         * the filter names none).
         */
        private boolean ddl(Statement st) {
            String sql = st.getSql();
            if (qualifiedWord != null && qualifiedWord.matcher(sql).find()) {
                return true;
            }
            if (schema == null) {
                return anyWord.matcher(sql).find();
            }
            return schema.equalsIgnoreCase(st.getSchema()) && tableWord.matcher(sql).find();
        }

        private boolean matches(TableRef t) {
            return table.equalsIgnoreCase(t.getTable()) && (schema == null || schema.equalsIgnoreCase(t.getSchema()));
        }
    }
}
