package io.tetradb.server.backup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code Logs/backup-journal.txt} (docs/backups.md): one line per event,
 * {@code timestamp<TAB>number<TAB>event<TAB>key=value ...}. Rotated at 10 MB (the old
 * file becomes {@code backup-journal.1.txt}, up to 5 kept). With verbose off, only
 * starts and errors are written. The file is created owner-only ({@code 0600}).
 *
 * <p>Thread-safe (synchronized); written by the backup thread, the scheduler and admin
 * requests.
 */
public final class BackupJournal {
    private static final Logger LOG = LoggerFactory.getLogger(BackupJournal.class);
    /** Rotation size. */
    static final long MAX_BYTES = 10L * 1024 * 1024;
    private static final int KEEP = 5;

    private final Path file;
    private final long maxBytes;

    public BackupJournal(Path logsDir) {
        this(logsDir, MAX_BYTES);
    }

    BackupJournal(Path logsDir, long maxBytes) {
        this.file = logsDir.resolve("backup-journal.txt");
        this.maxBytes = maxBytes;
    }

    /** The journal file. */
    public Path file() {
        return file;
    }

    /**
     * Writes one event. {@code important} events (start, errors, failures) are written
     * even when {@code verbose} is off.
     */
    public synchronized void event(long number, String event, boolean important, boolean verbose,
                                   Map<String, ?> fields) {
        if (!verbose && !important) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(Instant.now()).append('\t').append(number).append('\t').append(event).append('\t');
        boolean first = true;
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            if (!first) {
                sb.append(' ');
            }
            first = false;
            sb.append(e.getKey()).append('=').append(clean(String.valueOf(e.getValue())));
        }
        sb.append('\n');
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file) && Files.size(file) >= maxBytes) {
                rotate();
            }
            if (!Files.exists(file)) {
                // Owner-only: events carry hook output and error messages.
                Files.createFile(file, io.tetradb.server.DataLayout.ownerOnlyFile(file));
            }
            Files.write(file, sb.toString().getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("The backup journal could not be written: {}", e.getMessage());
        }
    }

    /** Values stay on one line and do not break the tab-separated format. */
    private static String clean(String v) {
        String s = v.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ');
        return s.contains(" ") || s.isEmpty() ? '"' + s.replace("\"", "'") + '"' : s;
    }

    private void rotate() throws IOException {
        for (int i = KEEP - 1; i >= 1; i--) {
            Path from = rotated(i);
            if (Files.exists(from)) {
                Files.move(from, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(rotated(KEEP + 1));
    }

    private Path rotated(int i) {
        return file.resolveSibling("backup-journal." + i + ".txt");
    }

    /** The last {@code n} lines (all when n is 0); the file is at most 10 MB. */
    public synchronized List<String> tail(int n) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return n <= 0 || n >= all.size() ? all : new ArrayList<>(all.subList(all.size() - n, all.size()));
    }
}
