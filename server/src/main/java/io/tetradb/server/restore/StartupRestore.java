package io.tetradb.server.restore;

import com.fasterxml.jackson.databind.JsonNode;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import io.tetradb.server.backup.BackupJournal;
import io.tetradb.server.backup.BackupService;
import io.tetradb.server.backup.BackupSettings;
import io.tetradb.server.restore.RestoreService.LogPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The automatic restore at start (docs/restore-with-log.md, {@code onStart.restoreIfDamaged}): what
 * the server does, before anyone is served, with a data file {@link DataFileDamage} found
 * damaged.
 *
 * <p>Runs on the server's main thread at start, with the database closed.
 */
public final class StartupRestore {
    private static final Logger LOG = LoggerFactory.getLogger(StartupRestore.class);

    private final DataLayout layout;
    private final BackupJournal journal;
    private final LogForward forward;

    public StartupRestore(DataLayout layout) {
        this.layout = layout;
        this.journal = new BackupJournal(layout.logsDir());
        this.forward = new LogForward(layout, () -> null, () -> BackupService.history(layout));
    }

    /**
     * The automatic restore at start (docs/restore-with-log.md, {@code onStart.restoreIfDamaged}), with
     * the database closed and nobody served: the data file (and the engine's other files in
     * {@code Data/}, not the log) moves to {@code Replaced Files (damaged)/<stamp>/Data}; the
     * newest archive that verifies is extracted and checked, brought forward with the log to the
     * last acknowledged commit ({@code integrateLog}; else the operations after it are cancelled
     * at the next open), and its data file put in place. The structure and settings folders stay
     * the live ones. Every step is journaled (number 0: no backup's).
     *
     * @return what was done, for the server log
     * @throws TetraException 1411 when no archive verifies, 1403 / 1412 / 1413 / 1416 / 1420 when
     *                        the log cannot bring the archive forward (nothing is put in place)
     */
    public String restore(String damage, boolean integrateLog, io.tetradb.server.log.LogService log)
            throws IOException {
        long start = System.currentTimeMillis();
        journal.event(0, "damaged-data-file", true, true, RestoreService.fields("reason", damage));
        LOG.error("The data file {} is damaged: {}. The server restores the last archive that verifies.",
                layout.dataFile().getFileName(), damage);
        List<io.tetradb.protocol.BackupHistoryEntry> candidates =
                new ArrayList<>(BackupService.history(layout).getEntriesList());
        candidates.sort(Comparator.comparingLong(io.tetradb.protocol.BackupHistoryEntry::getNumber).reversed());
        BackupSettings backupSettings = BackupSettings.load(layout);
        io.tetradb.server.backup.ArchiveStore store = backupSettings.store();
        io.tetradb.server.backup.BackupKey.Source keys = io.tetradb.server.backup.BackupKey.Source.of(backupSettings);
        String destination = store.describe();
        java.util.Set<String> present = store.names();
        TetraException last = null;
        Path replaced = null;
        for (io.tetradb.protocol.BackupHistoryEntry e : candidates) {
            if (e.getFile().isEmpty() || !present.contains(e.getFile())) {
                continue;
            }
            // A file of the folder, or (a bucket) the object's name, read from the bucket as a stream.
            Path archive = store.localFile(e.getFile()) != null ? store.localFile(e.getFile()) : Path.of(e.getFile());
            Path work = Files.createTempDirectory(layout.root(), ".restore-damaged-");
            try {
                Path staged = work.resolve(layout.databaseName());
                JsonNode manifest = BackupArchiveReader.extract(store, e.getFile(), staged, keys);
                if (!RestoreService.hasDataFile(manifest)) {
                    continue;
                }
                RestoreService.renameDataFiles(staged, manifest.path("database").asText(""));
                RestoreService.completeFromLive(layout, staged);
                RestoreService.check(staged, archive);
                boolean positioned = manifest.has("lastOperation");
                long held = manifest.path("lastOperation").asLong(0);
                io.tetradb.server.log.LogIntegration.Result integrated = null;
                if (integrateLog && positioned) {
                    integrated = forward.integrate(staged, manifest, archive, work, LogPoint.end());
                    held = integrated.lastOperation();
                }
                // Only now, with a data file ready: the damaged one goes.
                replaced = RestoreService.replacedFolder(layout, RestoreService.REPLACED_FILES_DAMAGED);
                RestoreService.moveEngineFiles(layout, layout.dataDir(), replaced.resolve("Data"));
                if (!positioned) {
                    // Made before the log file: what the log holds is of another history.
                    RestoreService.moveLogFiles(layout, layout.dataDir(), replaced.resolve("Data"));
                }
                DataLayout.restrictTree(replaced);
                DataLayout.restrictTree(staged);
                RestoreService.moveEngineFiles(layout, staged.resolve("Data"), layout.dataDir());
                long logLast = positioned ? forward.lastLogged() : 0;
                if (logLast > held) {
                    log.cutAtNextOpen(held + 1, logLast, "automatic restore of " + archive.getFileName()
                            + " at start" + (integrateLog ? ", the log broken after it" : " without the log"));
                }
                Map<String, Object> end = RestoreService.fields("archive", store.location(e.getFile()), "replacedFiles", replaced, "lastOperation", held,
                        "durationMillis", System.currentTimeMillis() - start);
                if (integrated != null) {
                    end.put("segments", String.join(",", integrated.segments()));
                    end.put("operationsIntegrated", integrated.operations());
                }
                if (logLast > held) {
                    end.put("cancelled", (held + 1) + "-" + logLast);
                }
                journal.event(e.getNumber(), "auto-restore-end", true, true, end);
                return "archive " + archive.getFileName() + " restored" + (integrated == null ? " without the log"
                        : " and brought forward with the log (" + integrated.operations() + " operation(s) from "
                        + integrated.segments() + ")") + " to operation " + held + "; the damaged files are in "
                        + replaced;
            } catch (TetraException t) {
                journal.event(e.getNumber(), "auto-restore-skipped", true, true, RestoreService.fields("archive", store.location(e.getFile()), "code",
                        t.rawCode(), "message", t.getMessage()));
                if (t.code() != ErrorCode.BACKUP_VERIFY_FAILED) {
                    throw new TetraException(t.code(), "The data file is damaged (" + damage + ") and the archive "
                            + archive.getFileName() + " could not be brought forward with the log: " + t.getMessage()
                            + " Nothing was changed. Set onStart.integrateLog: false in Settings/backup.yml to open "
                            + "the archive alone (the operations after it would be cancelled), or restore by hand.", t);
                }
                LOG.warn("The archive {} does not verify ({}); trying the one before.", archive.getFileName(),
                        t.getMessage());
                last = t;
            } finally {
                RestoreService.deleteQuietly(work);
            }
        }
        journal.event(0, "auto-restore-failed", true, true, RestoreService.fields("reason", damage));
        throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "The data file is damaged (" + damage + ") and no "
                + "archive in " + destination + " verifies" + (last == null ? " (there is none)" : ": the last one "
                + "tried: " + last.getMessage()) + ". The files are as they were; put a good copy of "
                + layout.dataFile().getFileName() + " in " + layout.dataDir() + ", or, to start an empty database, "
                + "move the data file and the log files (" + layout.logFile().getFileName() + ", "
                + layout.databaseName() + "-segment-*.journal) out of it.", last);
    }
}
