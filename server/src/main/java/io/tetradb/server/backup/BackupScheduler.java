package io.tetradb.server.backup;

import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.WireStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts automatic backups by the schedule of {@code backup.yml} (docs/backups.md), with
 * no client connected, and applies the failure policy (4.5, 4.7): a failed attempt is
 * retried after {@code retryAfter} or at the next scheduled time; after
 * {@code maxAttempts} failed attempts it records 1401 and pauses automatic backups
 * until a restart or a successful manual backup. A stop (1406) is never retried. A
 * backup planned while the server was down counts as a failed attempt at the next start.
 * With {@code onlyIfModified}, a scheduled backup is skipped (SKIPPED) when nothing was
 * written since the last successful backup.
 *
 * <p><b>Threads.</b> Time comes from an injectable {@link Clock}: {@link #check()} runs
 * once a second on the scheduler's own thread ("tetra-backup-scheduler", never the
 * server's shared timer), and directly on a test's thread after it moved its clock.
 * That thread starts the scheduled backup ({@link BackupService#start}), so a start's
 * file work and hooks never hold up wait-at-most expiries or statement timeouts. Backups
 * end on the backup thread, which calls {@link #finished} back with no lock held. The
 * plan (next time, retry, failed attempts, paused, running) is guarded by this object's
 * monitor, which is held for decisions only: the settings are read before it is taken,
 * and what a decision writes (the plan in backup-state.json, the records of backups not
 * run, the journal) is written after it is released. Under it only
 * {@code BackupRecords.memory} is taken (the lock order of {@link BackupService}).
 */
public final class BackupScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupScheduler.class);

    private final BackupService service;
    private final Clock clock;
    private ScheduledExecutorService ticker;
    /** The next regular occurrence, null when never. */
    private LocalDateTime nextRegular;
    /** A retry planned after a failed attempt, or null. */
    private LocalDateTime retryAt;
    private int failedAttempts;
    private boolean paused;
    private boolean running;

    public BackupScheduler(BackupService service, Clock clock) {
        this.service = service;
        this.clock = clock;
        service.scheduler(this);
        service.onFinished(this::finished);
    }

    /**
     * Plans from the settings; a backup planned before now (the server was down) counts as
     * a failed attempt. Then, with {@code tick}, checks once a second on its own thread.
     */
    public void start(boolean tick) {
        BackupSettings st = settings();
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            LocalDateTime now = now();
            long persisted = service.records().nextScheduled();
            nextRegular = nextRun(st, now);
            if (persisted > 0 && st.frequency() != BackupSettings.Frequency.NEVER) {
                LocalDateTime planned = LocalDateTime.ofInstant(Instant.ofEpochMilli(persisted), zone());
                if (planned.isBefore(now)) {
                    String msg = "The scheduled backup of " + planned + " was missed while the server was down.";
                    LOG.warn(msg);
                    after.add(() -> service.recordNotRun("FAILED", ErrorCode.BACKUP_IO.code(), msg));
                    failed(st, now, ErrorCode.BACKUP_IO.code(), after);
                }
            }
            if (service.interruptedScheduledBackup() && failedAttempts == 0) {
                failed(st, now, ErrorCode.BACKUP_IO.code(), after);
            }
            persist(after);
            if (tick) {
                ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "tetra-backup-scheduler");
                    t.setDaemon(true);
                    return t;
                });
                ticker.scheduleWithFixedDelay(this::safeCheck, 1, 1, TimeUnit.SECONDS);
            }
        }
        runAll(after);
    }

    /** Runs what a decision writes, in order, after the monitor is released. */
    private static void runAll(List<Runnable> after) {
        for (Runnable r : after) {
            r.run();
        }
    }

    private void safeCheck() {
        try {
            check();
        } catch (RuntimeException | Error e) {
            // Never thrown on: the ticker would cancel the check and no backup would be scheduled again.
            LOG.warn("The backup scheduler failed: {}", e.toString());
        }
    }

    /** Whether a backup is due now (under the monitor). */
    private boolean due() {
        if (paused || running) {
            return false;
        }
        LocalDateTime due = retryAt != null ? retryAt : nextRegular;
        return due != null && !now().isBefore(due);
    }

    /** Starts the planned backup when its time has come. */
    public void check() {
        synchronized (this) {
            if (!due()) {
                return;
            }
        }
        // Read outside the monitor, then decided again under it (the plan may have moved meanwhile).
        BackupSettings st = settings();
        boolean unmodified = st.onlyIfModified() && !service.modifiedSinceLastBackup();
        boolean skip;
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (!due()) {
                return;
            }
            skip = retryAt == null && unmodified;
            if (skip) {
                nextRegular = nextRun(st, now());
                persist(after);
            } else {
                running = true;
            }
        }
        runAll(after);
        if (skip) {
            service.recordNotRun("SKIPPED", 0, "Skipped: the data did not change since the last backup (onlyIfModified).");
            return;
        }
        try {
            service.start(null, false, BackupService.Origin.SCHEDULED);
        } catch (TetraException e) {
            // It could not start: with 1407 the end was recorded and finished() ran; otherwise (1419, settings
            // that cannot be read, the counter not written ...) it counts as a failed attempt here.
            if (e.code() != ErrorCode.BACKUP_DESTINATION) {
                notStarted(e.code().code());
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("The scheduled backup could not start: {}", e.toString());
            notStarted(ErrorCode.INTERNAL_ERROR.code());
        }
    }

    /** The scheduled backup could not start: a failed attempt. */
    private void notStarted(int code) {
        BackupSettings st = settings();
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (running) {
                running = false;
                failed(st, now(), code, after);
                persist(after);
            }
        }
        runAll(after);
    }

    private void finished(BackupRecord r, BackupService.Origin origin) {
        BackupSettings st = settings();
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            LocalDateTime now = now();
            boolean ok = WireStates.archived(WireStates.outcome(r));
            if (origin == BackupService.Origin.MANUAL) {
                if (ok && paused) {
                    paused = false;
                    failedAttempts = 0;
                    retryAt = null;
                    LOG.info("Automatic backups resume after the successful manual backup {}.", r.getNumber());
                }
                return;
            }
            running = false;
            if (ok || WireStates.outcome(r) == BackupOutcome.BACKUP_STOPPED) {
                // A stop is never retried: the next regular time applies.
                failedAttempts = 0;
                retryAt = null;
                nextRegular = nextRun(st, now);
            } else {
                failed(st, now, r.getErrorCode(), after);
            }
            persist(after);
        }
        runAll(after);
    }

    /** One failed attempt: retry per policy, or give up with 1401 (what it writes goes into {@code after}). */
    private void failed(BackupSettings st, LocalDateTime now, int code, List<Runnable> after) {
        failedAttempts++;
        if (failedAttempts >= st.maxAttempts()) {
            paused = true;
            retryAt = null;
            String msg = "Maximum backup attempts reached (" + failedAttempts + ", last error " + code
                    + "); automatic backups are paused until a restart or a successful manual backup.";
            LOG.warn(msg);
            after.add(() -> service.recordNotRun("FAILED", ErrorCode.BACKUP_MAX_ATTEMPTS.code(), msg));
            failedAttempts = 0;
            nextRegular = nextRun(st, now);
            return;
        }
        if (st.retry() == BackupSettings.Retry.AFTER_DELAY) {
            retryAt = now.plus(st.retryAfter());
        } else {
            retryAt = null;
            nextRegular = nextRun(st, now);
        }
        Map<String, Object> fields = BackupService.fields("attempt", failedAttempts, "of", st.maxAttempts(), "at",
                retryAt != null ? retryAt : nextRegular);
        after.add(() -> service.journal().event(0, "retry-planned", true, st.verboseJournal(), fields));
    }

    /** The settings changed: plan again from them (no restart needed). */
    public void reschedule() {
        BackupSettings st = settings();
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            nextRegular = nextRun(st, now());
            persist(after);
        }
        runAll(after);
    }

    /** Adds the plan to a status: next time, paused, schedule in words, failed attempts. */
    void describe(BackupStatus.Builder b) {
        String schedule = describe(settings());
        synchronized (this) {
            LocalDateTime next = paused ? null : retryAt != null ? retryAt : nextRegular;
            if (next != null) {
                long millis = next.atZone(zone()).toInstant().toEpochMilli();
                b.setNextScheduledMillis(millis);
                if (b.hasLast()) {
                    b.setLast(b.getLast().toBuilder().setNextScheduledMillis(millis));
                }
            }
            b.setAutomaticPaused(paused).setFailedAttempts(failedAttempts).setSchedule(schedule);
        }
    }

    /** Whether automatic backups are paused after 1401. */
    public synchronized boolean paused() {
        return paused;
    }

    /** The time of the next automatic backup (a retry or the regular one), or null. */
    public synchronized LocalDateTime next() {
        return paused ? null : retryAt != null ? retryAt : nextRegular;
    }

    /** Under the monitor: notes the plan in the records' memory; its file write goes into {@code after}. */
    private void persist(List<Runnable> after) {
        LocalDateTime next = next();
        if (service.records().plan(next == null ? 0 : next.atZone(zone()).toInstant().toEpochMilli())) {
            after.add(service.records()::writePlan);
        }
    }

    private BackupSettings settings() {
        try {
            return BackupSettings.load(service.layout());
        } catch (TetraException e) {
            LOG.warn("Settings/backup.yml is not valid ({}); no backup is scheduled.", e.getMessage());
            return BackupSettings.parse(null, service.layout());
        }
    }

    private LocalDateTime now() {
        return LocalDateTime.ofInstant(clock.instant(), zone());
    }

    private ZoneId zone() {
        return clock.getZone();
    }

    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            t = ticker;
            ticker = null;
        }
        if (t != null) {
            // No interrupt: a check under way ends as it would have (a start it made runs on the backup thread).
            t.shutdown();
        }
    }

    // ----------------------------------------------------------------------------- the calendar

    /** The schedule in words. */
    static String describe(BackupSettings s) {
        switch (s.frequency()) {
            case NEVER:
                return "never";
            case HOURLY:
                return "every " + s.every() + " hour(s) starting at " + s.startingAt();
            case DAILY:
                return "every " + s.every() + " day(s) at " + s.at();
            case WEEKLY: {
                StringBuilder sb = new StringBuilder("every " + s.every() + " week(s) on");
                for (Map.Entry<DayOfWeek, LocalTime> e : s.weekdays().entrySet()) {
                    sb.append(' ').append(e.getKey().name().toLowerCase(Locale.ROOT)).append(' ').append(e.getValue());
                }
                return sb.toString();
            }
            case MONTHLY:
                return "every " + s.every() + " month(s) on day " + s.dayOfMonth() + " at " + s.at();
            default:
                return "cron " + s.cron();
        }
    }

    /**
     * The first scheduled time strictly after {@code after}, or null for never. Hourly:
     * {@code startingAt} and every N hours after it, each day. Daily, weekly and monthly
     * count days, weeks (Monday first) and months from 1970-01-01, so "every 2 days" runs on
     * even days whatever the day the setting was written.
     */
    public static LocalDateTime nextRun(BackupSettings s, LocalDateTime after) {
        LocalDate day = after.toLocalDate();
        switch (s.frequency()) {
            case NEVER:
                return null;
            case CRON:
                return s.cron().next(after);
            case HOURLY:
                for (int d = 0; d < 3; d++) {
                    LocalDate date = day.plusDays(d);
                    for (LocalDateTime t = date.atTime(s.startingAt()); t.toLocalDate().equals(date);
                         t = t.plusHours(s.every())) {
                        if (t.isAfter(after)) {
                            return t;
                        }
                    }
                }
                return null;
            case DAILY:
                for (int d = 0; d <= s.every() + 1; d++) {
                    LocalDate date = day.plusDays(d);
                    if (Math.floorMod(date.toEpochDay(), s.every()) == 0 && date.atTime(s.at()).isAfter(after)) {
                        return date.atTime(s.at());
                    }
                }
                return null;
            case WEEKLY: {
                LocalDate monday = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                LocalDate epochMonday = LocalDate.of(1970, 1, 5);
                for (int w = 0; w <= s.every() + 1; w++) {
                    LocalDate weekStart = monday.plusWeeks(w);
                    long weekIndex = ChronoUnit.WEEKS.between(epochMonday, weekStart);
                    if (Math.floorMod(weekIndex, s.every()) != 0) {
                        continue;
                    }
                    for (DayOfWeek dow : DayOfWeek.values()) {
                        LocalTime t = s.weekdays().get(dow);
                        if (t != null) {
                            LocalDateTime when = weekStart.plusDays(dow.getValue() - 1L).atTime(t);
                            if (when.isAfter(after)) {
                                return when;
                            }
                        }
                    }
                }
                return null;
            }
            case MONTHLY: {
                LocalDate first = day.withDayOfMonth(1);
                for (int m = 0; m <= s.every() + 1; m++) {
                    LocalDate month = first.plusMonths(m);
                    long index = month.getYear() * 12L + month.getMonthValue() - 1;
                    if (Math.floorMod(index, s.every()) != 0) {
                        continue;
                    }
                    LocalDate date = month.withDayOfMonth(Math.min(s.dayOfMonth(), month.lengthOfMonth()));
                    if (date.atTime(s.at()).isAfter(after)) {
                        return date.atTime(s.at());
                    }
                }
                return null;
            }
            default:
                return null;
        }
    }

}
