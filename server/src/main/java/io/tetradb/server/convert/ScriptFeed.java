package io.tetradb.server.convert;

import org.h2.compress.LZFInputStream;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;
import org.h2.util.ScriptReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands the export script to the current engine's {@code RUNSCRIPT}: a file system of the
 * engine's own kind ({@code tetra-convert-feed:/path/export.sql}) whose input stream
 * reads the script file as the old engine writes it (so export and import can run at the
 * same time, the file never held in memory), counts the bytes read (the import's
 * progress), and, for a script of H2 1.4, rewrites the ENUM values of its INSERTs: H2 1.4
 * wrote them as 0-based ordinals, which H2 2 would read as 1-based ones (or refuse), and
 * the elements of its untyped ARRAY values, which H2 2 would refuse when their types mix
 * ({@link EnumFix}, {@link ArrayFix}).
 *
 * <p>The registry is thread-safe; a stream is read by the engine's importing thread.
 */
public final class ScriptFeed extends FilePathWrapper {
    static final String SCHEME = "tetra-convert-feed";
    private static final Map<String, Feed> FEEDS = new ConcurrentHashMap<>();

    static {
        FilePath.register(new ScriptFeed());
    }

    /** Public for H2, which creates instances by reflection. */
    public ScriptFeed() {
    }

    /** The state of one script being fed: bytes read, whether the writer has finished, the ENUM and ARRAY fix. */
    static final class Feed implements AutoCloseable {
        private final Path script;
        private final String key;
        private final EnumFix enumFix;
        private final boolean lzf;
        private final AtomicLong read = new AtomicLong();
        private volatile boolean writerDone;
        private volatile String writerFailure;

        private Feed(Path script, EnumFix enumFix, boolean lzf) {
            this.lzf = lzf;
            this.script = script.toAbsolutePath().normalize();
            this.key = FilePath.get(this.script.toString()).toString();
            this.enumFix = enumFix;
        }

        /** What RUNSCRIPT is given as the file name. */
        String url() {
            return SCHEME + ":" + key;
        }

        /** Bytes of the script read so far. */
        long bytesRead() {
            return read.get();
        }

        /** The script is complete: the end of the file is the end of the script. */
        void writerDone() {
            writerDone = true;
        }

        /** Whether the writer has finished (or failed): the file has its final size. */
        boolean writerFinished() {
            return writerDone;
        }

        /** The writer failed: the reader stops with this message. */
        void writerFailed(String message) {
            writerFailure = message;
            writerDone = true;
        }

        @Override
        public void close() {
            FEEDS.remove(key, this);
        }
    }

    /**
     * Registers a feed of {@code script}.
     *
     * @param enumFix the ENUM and untyped ARRAY columns of an H2 1.4 script, or null
     * @param growing whether the file is still being written (the reader waits for more until {@link Feed#writerDone})
     * @param lzf     whether the script is LZF-compressed (decompressed here only when it must be rewritten)
     */
    static Feed open(Path script, EnumFix enumFix, boolean growing, boolean lzf) {
        Feed f = new Feed(script, enumFix, lzf);
        if (!growing) {
            f.writerDone();
        }
        FEEDS.put(f.key, f);
        return f;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public InputStream newInputStream() throws IOException {
        Feed f = FEEDS.get(getBase().toString());
        if (f == null) {
            throw new IOException("No conversion script is being fed as " + getBase());
        }
        InputStream tail = new TailInputStream(f);
        if (f.enumFix == null) {
            return tail;
        }
        return new RewritingInputStream(f.lzf ? new LZFInputStream(tail) : tail, f.enumFix);
    }

    /** Reads the script file as it grows, until the writer is done and the end is reached. */
    private static final class TailInputStream extends InputStream {
        private final Feed feed;
        private final FileChannel ch;
        private long position;

        TailInputStream(Feed feed) throws IOException {
            this.feed = feed;
            this.ch = FileChannel.open(feed.script, StandardOpenOption.READ);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                boolean done = feed.writerDone;
                int n = ch.read(ByteBuffer.wrap(b, off, len), position);
                if (n > 0) {
                    position += n;
                    feed.read.addAndGet(n);
                    return n;
                }
                if (feed.writerFailure != null) {
                    throw new IOException("The export stopped: " + feed.writerFailure);
                }
                if (done) {
                    return -1;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("The import was interrupted.");
                }
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    /** Re-emits the script statement by statement, the INSERTs of ENUM and untyped ARRAY tables rewritten. */
    private static final class RewritingInputStream extends InputStream {
        private final ScriptReader reader;
        private final EnumFix fix;
        private byte[] current = new byte[0];
        private int at;
        private boolean end;

        RewritingInputStream(InputStream in, EnumFix fix) {
            this.reader = new ScriptReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            this.fix = fix;
        }

        private boolean fill() throws IOException {
            while (at >= current.length) {
                if (end) {
                    return false;
                }
                String stmt;
                try {
                    stmt = reader.readStatement();
                } catch (RuntimeException e) {
                    throw new IOException("The export script cannot be read: " + e.getMessage(), e);
                }
                if (stmt == null) {
                    end = true;
                    return false;
                }
                current = (fix.rewrite(stmt) + ";\n").getBytes(StandardCharsets.UTF_8);
                at = 0;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return current[at++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length - at);
            System.arraycopy(current, at, b, off, n);
            at += n;
            return n;
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}
