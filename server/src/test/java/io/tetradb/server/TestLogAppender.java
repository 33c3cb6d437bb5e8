package io.tetradb.server;

import java.lang.reflect.Proxy;

/**
 * An appender on log4j's root logger for tests that look at what the server logged:
 * every event at {@code level} or above goes to a {@link Sink}. Reached through
 * reflection, because compiling against log4j's classes makes javac warn about
 * annotations missing from its class files.
 */
public final class TestLogAppender implements AutoCloseable {
    /** One logged event, as a test reads it. */
    public record Event(String logger, String level, String message, Throwable thrown) {
    }

    /** Where the events go (called on the logging thread). */
    @FunctionalInterface
    public interface Sink {
        void accept(Event e);
    }

    private final String name;
    private final Object context;
    private final Object root;

    private TestLogAppender(String name, Object context, Object root) {
        this.name = name;
        this.context = context;
        this.root = root;
    }

    /** Adds an appender named {@code name} for events of {@code level} ("INFO", "WARN", "ERROR") and above. */
    public static TestLogAppender install(String name, String level, Sink sink) {
        try {
            Object ctx = Class.forName("org.apache.logging.log4j.LogManager").getMethod("getContext", boolean.class)
                    .invoke(null, false);
            Object config = ctx.getClass().getMethod("getConfiguration").invoke(ctx);
            Object root = config.getClass().getMethod("getRootLogger").invoke(config);
            Class<?> appenderType = Class.forName("org.apache.logging.log4j.core.Appender");
            Class<?> levelType = Class.forName("org.apache.logging.log4j.Level");
            Class<?> filterType = Class.forName("org.apache.logging.log4j.core.Filter");
            Object started = Class.forName("org.apache.logging.log4j.core.LifeCycle$State").getField("STARTED")
                    .get(null);
            Object appender = Proxy.newProxyInstance(TestLogAppender.class.getClassLoader(),
                    new Class<?>[] {appenderType}, (proxy, method, args) -> switch (method.getName()) {
                        case "append" -> {
                            sink.accept(event(args[0]));
                            yield null;
                        }
                        case "getName", "toString" -> name;
                        case "getState" -> started;
                        case "isStarted", "ignoreExceptions" -> true;
                        case "isStopped", "equals" -> proxy == (args == null ? null : args[0]);
                        case "hashCode" -> System.identityHashCode(proxy);
                        default -> null;
                    });
            root.getClass().getMethod("addAppender", appenderType, levelType, filterType)
                    .invoke(root, appender, levelType.getField(level).get(null), null);
            ctx.getClass().getMethod("updateLoggers").invoke(ctx);
            return new TestLogAppender(name, ctx, root);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Event event(Object e) throws ReflectiveOperationException {
        Object message = e.getClass().getMethod("getMessage").invoke(e);
        return new Event((String) e.getClass().getMethod("getLoggerName").invoke(e),
                e.getClass().getMethod("getLevel").invoke(e).toString(),
                (String) message.getClass().getMethod("getFormattedMessage").invoke(message),
                (Throwable) e.getClass().getMethod("getThrown").invoke(e));
    }

    /** Removes the appender. */
    @Override
    public void close() {
        try {
            root.getClass().getMethod("removeAppender", String.class).invoke(root, name);
            context.getClass().getMethod("updateLoggers").invoke(context);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
