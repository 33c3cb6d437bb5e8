package io.tetradb.server.log;

import io.tetradb.protocol.Value;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.RowChange;
import io.tetradb.protocol.log.TableRef;
import io.tetradb.protocol.log.Transaction;

import java.io.IOException;
import java.lang.reflect.Proxy;
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
        private final Object context;
        private final Object root;

        private CapturedLog(Object context, Object root) {
            this.context = context;
            this.root = root;
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
            try {
                Object ctx = Class.forName("org.apache.logging.log4j.LogManager").getMethod("getContext", boolean.class)
                        .invoke(null, false);
                Object config = ctx.getClass().getMethod("getConfiguration").invoke(ctx);
                Object root = config.getClass().getMethod("getRootLogger").invoke(config);
                CapturedLog log = new CapturedLog(ctx, root);
                Class<?> appenderType = Class.forName("org.apache.logging.log4j.core.Appender");
                Class<?> levelType = Class.forName("org.apache.logging.log4j.Level");
                Class<?> filterType = Class.forName("org.apache.logging.log4j.core.Filter");
                Object started = Class.forName("org.apache.logging.log4j.core.LifeCycle$State").getField("STARTED")
                        .get(null);
                Object appender = Proxy.newProxyInstance(LogFixtures.class.getClassLoader(),
                        new Class<?>[] {appenderType}, (proxy, method, args) -> switch (method.getName()) {
                            case "append" -> {
                                log.append(args[0]);
                                yield null;
                            }
                            case "getName", "toString" -> NAME;
                            case "getState" -> started;
                            case "isStarted", "ignoreExceptions" -> true;
                            case "isStopped", "equals" -> proxy == (args == null ? null : args[0]);
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> null;
                        });
                root.getClass().getMethod("addAppender", appenderType, levelType, filterType)
                        .invoke(root, appender, levelType.getField(level).get(null), null);
                ctx.getClass().getMethod("updateLoggers").invoke(ctx);
                return log;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        private void append(Object event) throws ReflectiveOperationException {
            String logger = (String) event.getClass().getMethod("getLoggerName").invoke(event);
            if (logger != null && logger.startsWith("io.tetradb.server.log")) {
                Object level = event.getClass().getMethod("getLevel").invoke(event);
                Object message = event.getClass().getMethod("getMessage").invoke(event);
                lines.add(level + " " + message.getClass().getMethod("getFormattedMessage").invoke(message));
            }
        }

        @Override
        public void close() {
            try {
                root.getClass().getMethod("removeAppender", String.class).invoke(root, NAME);
                context.getClass().getMethod("updateLoggers").invoke(context);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
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
