package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.protocol.ArchiveVerification;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.WireStates;
import io.tetradb.server.DataLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the server remembers about backups across restarts, in
 * {@code <db>/backup-state.json} (in the database folder, outside the archived folders,
 * so that a restore never brings back an old counter): the next backup number (numbers
 * are never reused), the last backup's information, and the backup running now with its
 * stage ({@link Stage}), so that the next start after a kill knows what was written and
 * what was verified.
 *
 * <p>Not thread-safe: {@link BackupRecords} guards it with its memory lock and writes it
 * (atomically, {@link #write}) from a {@link #snapshot} taken under that lock. The
 * setters change memory only.
 */
final class BackupState {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private long nextNumber = 1;
    private BackupRecord last;
    private long nextScheduledMillis;
    private boolean modified = true;
    private long runningNumber;
    private String runningArchive = "";
    private boolean runningScheduled;
    /** When the running backup started (epoch ms; 0 when a file of an earlier version did not say). */
    private long runningStartMillis;
    private Stage runningStage = Stage.COPYING;

    /**
     * How far the running backup got, written before each step begins: {@code COPYING}
     * (writing the archive; once it has its final name, it is complete but not verified),
     * {@code VERIFYING} (its verification began), {@code VERIFIED} (it ended well).
     */
    enum Stage { COPYING, VERIFYING, VERIFIED }

    BackupState(Path file) {
        this.file = file;
    }

    void load() throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        JsonNode n = JSON.readTree(file.toFile());
        nextNumber = Math.max(1, n.path("nextNumber").asLong(1));
        nextScheduledMillis = n.path("nextScheduled").asLong(0);
        modified = n.path("modifiedSinceLastBackup").asBoolean(true);
        runningNumber = n.path("running").path("number").asLong(0);
        runningArchive = n.path("running").path("archive").asText("");
        runningScheduled = n.path("running").path("scheduled").asBoolean(false);
        runningStartMillis = n.path("running").path("start").asLong(0);
        try {
            runningStage = Stage.valueOf(n.path("running").path("stage").asText("COPYING"));
        } catch (IllegalArgumentException e) {
            runningStage = Stage.COPYING;
        }
        JsonNode l = n.path("last");
        if (l.isObject()) {
            last = BackupRecord.newBuilder().setNumber(l.path("number").asLong())
                    .setStartMillis(l.path("start").asLong()).setEndMillis(l.path("end").asLong())
                    .setDurationMillis(l.path("durationMillis").asLong()).setStatus(l.path("status").asText())
                    .setOutcome(WireStates.outcome(l.path("status").asText()))
                    .setErrorCode(l.path("errorCode").asInt()).setErrorMessage(l.path("errorMessage").asText())
                    .setArchive(l.path("archive").asText()).setArchiveSize(l.path("archiveSize").asLong())
                    .setWritesQueued(l.path("writesQueued").asInt()).setWritesCancelled(l.path("writesCancelled").asInt())
                    .setVerification(verification(l.path("verification").asText("")))
                    .setHookExitCode(l.path("hookExitCode").asInt(0)).setHook(l.path("hook").asText(""))
                    .build();
            String fingerprint = l.path("keyFingerprint").asText("");
            if (!fingerprint.isEmpty()) {
                last = last.toBuilder().setKeyFingerprint(fingerprint).build();
            }
        }
    }

    /** Takes the next number (the caller writes the state before the backup starts). */
    long takeNumber() {
        return nextNumber++;
    }

    BackupRecord last() {
        return last;
    }

    void last(BackupRecord r) {
        last = r;
    }

    /** When the scheduler planned the next automatic backup (0 = none), as it was before a restart. */
    long nextScheduledMillis() {
        return nextScheduledMillis;
    }

    /** Returns whether it changed (and so needs writing). */
    boolean nextScheduledMillis(long millis) {
        if (millis != nextScheduledMillis) {
            nextScheduledMillis = millis;
            return true;
        }
        return false;
    }

    /** The backup that was running when the state was last written (0 = none). */
    long runningNumber() {
        return runningNumber;
    }

    String runningArchive() {
        return runningArchive;
    }

    boolean runningScheduled() {
        return runningScheduled;
    }

    /** When the running backup started (epoch ms), 0 when not known. */
    long runningStartMillis() {
        return runningStartMillis;
    }

    /**
     * Notes the backup now running (number 0 clears it) and when it started, so that a crash
     * during it is noticed, with its real start time, at the next start.
     */
    void running(long number, String archive, boolean scheduled, long startMillis) {
        runningNumber = number;
        runningArchive = archive == null ? "" : archive;
        runningScheduled = scheduled;
        runningStartMillis = number > 0 ? startMillis : 0;
        runningStage = Stage.COPYING;
    }

    /** How far the running backup got (see {@link Stage}). */
    Stage runningStage() {
        return runningStage;
    }

    /** Notes that the running backup reached {@code stage}. */
    void runningStage(Stage stage) {
        runningStage = stage;
    }

    /** The verification state of its name, {@code ARCHIVE_VERIFICATION_UNSPECIFIED} when unknown. */
    static ArchiveVerification verification(String name) {
        try {
            ArchiveVerification v = ArchiveVerification.valueOf(name);
            return v == ArchiveVerification.UNRECOGNIZED ? ArchiveVerification.ARCHIVE_VERIFICATION_UNSPECIFIED : v;
        } catch (IllegalArgumentException e) {
            return ArchiveVerification.ARCHIVE_VERIFICATION_UNSPECIFIED;
        }
    }

    /** Whether data or structure changed since the last successful backup's gate closed. */
    boolean modified() {
        return modified;
    }

    /** Returns whether it changed (and so needs writing). */
    boolean modified(boolean m) {
        if (m != modified) {
            modified = m;
            return true;
        }
        return false;
    }

    /** Writes a {@link #snapshot} to {@code backup-state.json}, atomically. */
    void write(byte[] snapshot) throws IOException {
        DataLayout.writeAtomically(file, snapshot, true);
    }

    /** The state as written to the file. */
    byte[] snapshot() throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("nextNumber", nextNumber);
        n.put("nextScheduled", nextScheduledMillis);
        n.put("modifiedSinceLastBackup", modified);
        if (runningNumber > 0) {
            n.putObject("running").put("number", runningNumber).put("archive", runningArchive)
                    .put("scheduled", runningScheduled).put("stage", runningStage.name())
                    .put("start", runningStartMillis);
        }
        if (last != null) {
            ObjectNode l = n.putObject("last");
            l.put("number", last.getNumber());
            l.put("start", last.getStartMillis());
            l.put("end", last.getEndMillis());
            l.put("durationMillis", last.getDurationMillis());
            l.put("status", last.getStatus());
            l.put("errorCode", last.getErrorCode());
            l.put("errorMessage", last.getErrorMessage());
            l.put("archive", last.getArchive());
            l.put("archiveSize", last.getArchiveSize());
            l.put("writesQueued", last.getWritesQueued());
            l.put("writesCancelled", last.getWritesCancelled());
            l.put("verification", last.getVerification().name());
            l.put("hookExitCode", last.getHookExitCode());
            l.put("hook", last.getHook());
            if (last.hasKeyFingerprint()) {
                l.put("keyFingerprint", last.getKeyFingerprint());
            }
        }
        return JSON.writeValueAsBytes(n);
    }
}
