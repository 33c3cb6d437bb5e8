package io.tetradb.server.backup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Several destinations at once ({@code destinations:} in backup.yml, docs/backups.md,
 * "Several destinations"): every archive, segment and the history go to each member.
 *
 * <p>Writing. The archive or segment is written once, in the {@link #staging()} of the
 * primary member (the first folder listed that can be written, else the first bucket); {@link #put} copies it
 * to every other member (a folder: copied beside and renamed into place; a bucket: a copy
 * in its staging folder uploaded by its own {@code put}), then puts it in the primary. A
 * member that fails does not hold back the others: {@code put} fails only when no member
 * took the object, and the members that failed are given by {@link #failures} (and copied
 * later by {@link #copyMissing}). The history is written to every member that takes it.
 *
 * <p>Reading. {@link #list} is the union of the members that answer (an archive is listed
 * when any member holds it); {@link #open} and {@link #read} use the first member, in the
 * order set, that holds the object and answers. What no member that answers holds is
 * missing ({@link #exists} false, {@link #read} null); only when no member answers at all
 * do {@link #list}, {@link #exists} and {@link #read} throw, the first member's error. {@link #remote()} is true: readers stream
 * through {@link #open}, so that a restore works from whichever member is left.
 *
 * <p>Deleting (retention) deletes from each member that answers; one that does not is
 * pruned at a later retention (its objects are still listed).
 *
 * <p>Thread-safe as its members are; {@link #failures} is per instance (one backup).
 */
public final class MultiArchiveStore implements ArchiveStore {
    private static final Logger LOG = LoggerFactory.getLogger(MultiArchiveStore.class);

    /** A member: the destination as set and its store. */
    public record Member(String text, ArchiveStore store) {
    }

    private final List<Member> members;
    /** See {@link #primary()}; -1 until chosen. */
    private int primary = -1;
    /** Object name to (member text to the error of its copy), for the last {@link #put}s. */
    private final Map<String, Map<String, String>> failures = new java.util.concurrent.ConcurrentHashMap<>();

    public MultiArchiveStore(List<Member> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no destination");
        }
        this.members = List.copyOf(members);
    }

    /**
     * The member the archive is written in (chosen once per instance, that is per backup):
     * the first folder that can be written; when none can, the first bucket (its staging
     * folder); with neither, the first folder (whose check then fails with 1407).
     */
    private synchronized int primary() {
        if (primary < 0) {
            int firstFolder = -1;
            int firstBucket = -1;
            for (int i = 0; i < members.size() && primary < 0; i++) {
                ArchiveStore s = members.get(i).store();
                if (s.remote()) {
                    firstBucket = firstBucket < 0 ? i : firstBucket;
                    continue;
                }
                firstFolder = firstFolder < 0 ? i : firstFolder;
                try {
                    s.check();
                    primary = i;
                } catch (DestinationException e) {
                    LOG.warn("Backup destination {} cannot be written now: {}", members.get(i).text(), e.getMessage());
                }
            }
            if (primary < 0) {
                primary = firstBucket >= 0 ? firstBucket : Math.max(0, firstFolder);
            }
        }
        return primary;
    }

    /** The members, in the order set. */
    public List<Member> members() {
        return members;
    }

    @Override
    public String describe() {
        return String.join(", ", members.stream().map(Member::text).toList());
    }

    @Override
    public String location(String name) {
        synchronized (this) {
            if (primary >= 0) {
                return members.get(primary).store().location(name);
            }
        }
        // Reading (no backup chose where to write): where it is, without probing the folders.
        for (Member m : members) {
            try {
                if (m.store().exists(name)) {
                    return m.store().location(name);
                }
            } catch (IOException | RuntimeException e) {
                // the next member
            }
        }
        return members.get(0).store().location(name);
    }

    @Override
    public boolean remote() {
        return true;
    }

    /** Fails (1407) only when no member can be used; the others' problems are logged and copied up later. */
    @Override
    public void check() throws DestinationException {
        DestinationException first = null;
        int ok = 0;
        for (Member m : members) {
            try {
                m.store().check();
                ok++;
            } catch (DestinationException e) {
                LOG.warn("Backup destination {} cannot be used now: {}", m.text(), e.getMessage());
                if (first == null) {
                    first = e;
                }
            }
        }
        if (ok == 0) {
            throw new DestinationException("None of the backup destinations can be used: " + first.getMessage(), first);
        }
        // The primary is where the archive is written: it must work.
        members.get(primary()).store().check();
    }

    @Override
    public Path staging() throws IOException {
        return members.get(primary()).store().staging();
    }

    @Override
    public void put(String name, Path file) throws IOException {
        Map<String, String> failed = new LinkedHashMap<>();
        int ok = 0;
        for (int i = 0; i < members.size(); i++) {
            if (i == primary()) {
                continue;
            }
            Member m = members.get(i);
            try {
                copyTo(m.store(), name, file);
                ok++;
            } catch (IOException | RuntimeException e) {
                failed.put(m.text(), message(e));
                LOG.warn("{} could not be copied to backup destination {}: {}", name, m.text(), message(e));
            }
        }
        IOException primaryError = null;
        try {
            members.get(primary()).store().put(name, file);
            ok++;
        } catch (IOException e) {
            primaryError = e;
            failed.put(members.get(primary()).text(), message(e));
        }
        if (ok == 0) {
            throw primaryError != null ? primaryError : new DestinationException("No backup destination took " + name, null);
        }
        if (failed.isEmpty()) {
            failures.remove(name);
        } else {
            failures.put(name, failed);
        }
    }

    /** The members (as set) that did not take object {@code name} at its {@link #put}, with why; empty when all did. */
    public Map<String, String> failures(String name) {
        return failures.getOrDefault(name, Map.of());
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Copies local file {@code file} to {@code to} as {@code name} (the file stays). */
    private static void copyTo(ArchiveStore to, String name, Path file) throws IOException {
        Path dir = to.staging();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DestinationException("The folder " + dir + " cannot be created or is not a folder (" + message(e)
                    + ")", e);
        }
        Path tmp = dir.resolve("." + name + ".copy-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId());
        try {
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            if (!to.remote()) {
                Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            to.put(name, to.remote() ? tmp : dir.resolve(name));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies object {@code name} from {@code from} to {@code to} through a local file. */
    private static void copyBetween(ArchiveStore from, ArchiveStore to, String name) throws IOException {
        Path local = from.localFile(name);
        if (local != null && Files.isRegularFile(local)) {
            copyTo(to, name, local);
            return;
        }
        Path dir = to.staging();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + name + ".fetch-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId());
        try {
            try (InputStream in = from.open(name)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            copyTo(to, name, tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** What one member holds: the names there, or why it could not be listed. */
    public record Holdings(Member member, Set<String> names, String error) {
    }

    /** Every member's objects (or its error), in the order set. */
    public List<Holdings> holdings() {
        List<Holdings> out = new ArrayList<>();
        for (Member m : members) {
            try {
                out.add(new Holdings(m, m.store().names(), null));
            } catch (IOException | RuntimeException e) {
                out.add(new Holdings(m, Set.of(), message(e)));
            }
        }
        return out;
    }

    /**
     * Copies each object whose name {@code wanted} accepts to every member that lacks it,
     * from the first member that holds it. Returns, per member that still lacks some, the
     * names missing there with the error (empty when every member holds everything).
     */
    public Map<String, Map<String, String>> copyMissing(java.util.function.Predicate<String> wanted) {
        List<Holdings> all = holdings();
        Map<String, Map<String, String>> missing = new TreeMap<>();
        Set<String> union = new java.util.TreeSet<>();
        for (Holdings h : all) {
            h.names().stream().filter(wanted).forEach(union::add);
        }
        for (Holdings h : all) {
            for (String name : union) {
                if (h.names().contains(name)) {
                    continue;
                }
                String error = h.error();
                if (error == null) {
                    error = "no destination holding it could be read";
                    for (Holdings src : all) {
                        if (src != h && src.names().contains(name)) {
                            try {
                                copyBetween(src.member().store(), h.member().store(), name);
                                error = null;
                                LOG.info("{} copied from {} to backup destination {}.", name, src.member().text(),
                                        h.member().text());
                                break;
                            } catch (IOException | RuntimeException e) {
                                error = message(e);
                            }
                        }
                    }
                }
                if (error != null) {
                    missing.computeIfAbsent(h.member().text(), k -> new TreeMap<>()).put(name, error);
                }
            }
        }
        return missing;
    }

    @Override
    public List<Item> list() throws IOException {
        Map<String, Item> out = new LinkedHashMap<>();
        onEach(m -> {
            for (Item i : m.store().list()) {
                out.putIfAbsent(i.name(), i);
            }
        });
        return new ArrayList<>(out.values());
    }

    /** Whether any member that answers holds {@code name} (1407 only when none answers). */
    @Override
    public boolean exists(String name) throws IOException {
        boolean[] found = new boolean[1];
        onEach(m -> found[0] = found[0] || m.store().exists(name));
        return found[0];
    }

    @Override
    public InputStream open(String name) throws IOException {
        IOException first = null;
        for (Member m : members) {
            try {
                if (m.store().exists(name)) {
                    return m.store().open(name);
                }
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw first != null ? first : new java.nio.file.NoSuchFileException(name + " is in none of " + describe());
    }

    @Override
    public Path localFile(String name) {
        for (Member m : members) {
            Path p = m.store().localFile(name);
            if (p != null && Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The object from the first member, in the order set, that holds it and answers. As
     * {@link #exists} and {@link #list}, it goes by the members that answer: null (missing,
     * as a single store says it) when at least one member answered and none of those holds
     * it, even if others failed; the first member's error (a {@link DestinationException},
     * 1407) only when every member failed, so that a history nobody could read is never
     * taken for no history.
     */
    @Override
    public byte[] read(String name) throws IOException {
        IOException first = null;
        boolean answered = false;
        for (Member m : members) {
            try {
                byte[] b = m.store().read(name);
                if (b != null) {
                    return b;
                }
                answered = true;
            } catch (IOException e) {
                // the next member may hold it
                if (first == null) {
                    first = e;
                }
            }
        }
        if (!answered) {
            throw first;
        }
        return null;
    }

    @Override
    public void write(String name, byte[] bytes) throws IOException {
        onEach(m -> m.store().write(name, bytes));
    }

    @Override
    public void delete(String name) throws IOException {
        onEach(m -> {
            try {
                m.store().delete(name);
            } catch (IOException e) {
                LOG.warn("{} could not be deleted from backup destination {}: {}", name, m.text(), e.getMessage());
                throw e;
            }
        });
    }

    /** What {@link #onEach} does with one member. */
    private interface MemberAction {
        void run(Member m) throws IOException;
    }

    /** Runs {@code action} on every member; throws the first member's failure when none succeeded. */
    private void onEach(MemberAction action) throws IOException {
        IOException first = null;
        int ok = 0;
        for (Member m : members) {
            try {
                action.run(m);
                ok++;
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (ok == 0) {
            throw first;
        }
    }
}
