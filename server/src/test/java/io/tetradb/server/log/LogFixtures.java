package io.tetradb.server.log;

import io.tetradb.protocol.Value;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.RowChange;
import io.tetradb.protocol.log.TableRef;
import io.tetradb.protocol.log.Transaction;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Transactions to log, reading a log back, and catching the log's WARN lines, for the log's tests. */
final class LogFixtures {
    static final String DB = "db-11111111";

    private LogFixtures() {
    }

    /** A transaction of {@code ops} inserts, told apart by its user ({@code tag}). */
    static Transaction.Builder tx(String tag, int ops) {
        Transaction.Builder b = Transaction.newBuilder().setUser(tag).setSession(7).setClientAddress("127.0.0.1")
                .setCommitTimeMillis(1_700_000_000_000L);
        for (int i = 0; i < ops; i++) {
            b.addOperations(Operation.newBuilder().setInsert(RowChange.newBuilder()
                    .setTable(TableRef.newBuilder().setSchema("PUBLIC").setTable("T"))
                    .addNewValues(Value.newBuilder().setLongValue(i))
                    .addNewValues(Value.newBuilder().setStringValue(tag + "/" + i))
                    .addKeyColumns(0)));
        }
        return b;
    }

    /** Every transaction of a segment, in file order. */
    static List<Transaction> readAll(Path file) throws IOException {
        List<Transaction> all = new ArrayList<>();
        SegmentScan scan = SegmentReader.scan(file, DB, all::add);
        if (scan.tornTail()) {
            throw new AssertionError("torn tail of " + scan.droppedBytes() + " bytes at " + scan.goodEnd());
        }
        return all;
    }

    /** Offsets of the frame starts of a segment: the header's first, then each transaction's. */
    static List<Long> frameStarts(Path file) throws IOException {
        List<Long> starts = new ArrayList<>();
        starts.add((long) LogFrames.MAGIC.length);
        try (SegmentReader r = SegmentReader.open(file, DB)) {
            starts.add(r.goodEnd());
            while (r.next() != null) {
                starts.add(r.goodEnd());
            }
        }
        starts.remove(starts.size() - 1);
        return starts;
    }

    static void flipByte(Path file, long at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) at] ^= 0x5A;
        Files.write(file, b);
    }

    /**
     * Catches the WARN and worse lines of the log package while open: an appender added to
     * log4j's root logger, reached through reflection because compiling against log4j's
     * classes makes javac warn about annotations missing from its class files.
     */
    static final class CapturedLog implements AutoCloseable {
        private static final String NAME = "log-package-warnings";
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final io.tetradb.server.TestLogAppender appender;

        private CapturedLog(String level) {
            appender = io.tetradb.server.TestLogAppender.install(NAME, level, e -> {
                if (e.logger() != null && e.logger().startsWith("io.tetradb.server.log")) {
                    lines.add(e.level() + " " + e.message());
                }
            });
        }

        static CapturedLog capture() {
            return capture("WARN");
        }

        /**
         * The log package's lines of {@code level} ("INFO", "WARN") and above; below WARN the
         * package's logger is lowered to it (the tests' configuration keeps io.tetradb at WARN)
         * until {@link #close}.
         */
        static CapturedLog capture(String level) {
            if (!level.equals("WARN")) {
                setPackageLevel(level);
            }
            return new CapturedLog(level);
        }

        @Override
        public void close() {
            appender.close();
            setPackageLevel("WARN");
        }

        private static void setPackageLevel(String level) {
            try {
                Class<?> levelType = Class.forName("org.apache.logging.log4j.Level");
                Class.forName("org.apache.logging.log4j.core.config.Configurator")
                        .getMethod("setLevel", String.class, levelType)
                        .invoke(null, "io.tetradb.server.log", levelType.getField(level).get(null));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
