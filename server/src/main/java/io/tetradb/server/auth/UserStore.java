package io.tetradb.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.Roles;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.DataLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Tetra's users, kept in {@code Structure/users.json} (owner-only): name, role and the
 * SCRAM-SHA-256 credentials (salt, iterations, StoredKey, ServerKey) — never a password.
 * Every change rewrites the file atomically.
 *
 * <p><b>Threads.</b> Read on event loops (authentication: {@link #find}) and by admin
 * requests; changed on worker threads (admin requests), by the restore and at start.
 * The table is copy-on-write: an immutable map published through a volatile field, so a
 * reader never takes a lock and never waits for a writer. Writers ({@link #add},
 * {@link #remove}, {@link #setCredentials}, {@link #load}) serialize among themselves on
 * {@code writeLock}, which they hold while they write the file (no reader ever takes it);
 * each builds the next table from the current one, writes it, then publishes it. As
 * before, a change whose file write failed is still published (the error is reported to
 * the caller), and a load that fails leaves the table empty.
 */
public final class UserStore {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One user. */
    public record User(String name, Role role, Scram.Credentials credentials, long createdAt) {
    }

    private final Path file;
    /** Serializes the writers (and their file writes); readers never take it. */
    private final Object writeLock = new Object();
    /** The published table: immutable, sorted by name, replaced whole by a writer. */
    private volatile SortedMap<String, User> users = Collections.emptySortedMap();
    private volatile Runnable beforeWrite = () -> { };

    public UserStore(Path file) {
        this.file = file;
    }

    /** For tests: runs on the writing thread, with the writers' lock held, just before users.json is written. */
    void beforeWrite(Runnable hook) {
        beforeWrite = hook == null ? () -> { } : hook;
    }

    /** Reads users.json when it exists. */
    public void load() throws IOException {
        synchronized (writeLock) {
            SortedMap<String, User> next = new TreeMap<>();
            try {
                if (Files.exists(file)) {
                    JsonNode root = JSON.readTree(file.toFile());
                    Base64.Decoder d = Base64.getDecoder();
                    for (JsonNode u : root.path("users")) {
                        Scram.Credentials c = new Scram.Credentials(d.decode(u.path("salt").asText()),
                                u.path("iterations").asInt(), d.decode(u.path("storedKey").asText()),
                                d.decode(u.path("serverKey").asText()));
                        User user = new User(u.path("name").asText(), parseRole(u.path("role").asText()), c,
                                u.path("createdAt").asLong());
                        next.put(user.name(), user);
                    }
                }
            } catch (IOException | RuntimeException e) {
                users = Collections.emptySortedMap();
                throw e;
            }
            users = Collections.unmodifiableSortedMap(next);
        }
    }

    /** Whether no user exists yet (first start). */
    public boolean isEmpty() {
        return users.isEmpty();
    }

    /** The user of that name, or null. Never blocks. */
    public User find(String name) {
        return users.get(name);
    }

    /** Every user, by name. */
    public List<User> list() {
        return new ArrayList<>(users.values());
    }

    /** Adds a user; 2010 when the name is taken or not valid. */
    public void add(String name, Role role, Scram.Credentials credentials) throws IOException {
        checkName(name);
        checkCredentials(credentials);
        if (role == null || role == Role.ROLE_UNSPECIFIED || role == Role.UNRECOGNIZED) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "A role is required: admin, user or reader.");
        }
        synchronized (writeLock) {
            if (users.containsKey(name)) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "User '" + name + "' already exists.");
            }
            SortedMap<String, User> next = new TreeMap<>(users);
            next.put(name, new User(name, role, credentials, System.currentTimeMillis()));
            saveAndPublish(next);
        }
    }

    /** Removes a user; 2010 when unknown or when it is the last admin. */
    public void remove(String name) throws IOException {
        synchronized (writeLock) {
            User u = users.get(name);
            if (u == null) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No user '" + name + "'.");
            }
            if (u.role() == Role.ADMIN && users.values().stream().filter(x -> x.role() == Role.ADMIN).count() == 1) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' is the last admin and cannot be removed.");
            }
            SortedMap<String, User> next = new TreeMap<>(users);
            next.remove(name);
            saveAndPublish(next);
        }
    }

    /** Replaces a user's credentials; 2010 when unknown. */
    public void setCredentials(String name, Scram.Credentials credentials) throws IOException {
        synchronized (writeLock) {
            User u = users.get(name);
            if (u == null) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No user '" + name + "'.");
            }
            checkCredentials(credentials);
            SortedMap<String, User> next = new TreeMap<>(users);
            next.put(name, new User(name, u.role(), credentials, u.createdAt()));
            saveAndPublish(next);
        }
    }

    /** With {@code writeLock} held: writes {@code next} to the file, then publishes it (even when the write failed). */
    private void saveAndPublish(SortedMap<String, User> next) throws IOException {
        try {
            beforeWrite.run();
            save(next);
        } finally {
            users = Collections.unmodifiableSortedMap(next);
        }
    }

    private void save(SortedMap<String, User> table) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        ArrayNode arr = root.putArray("users");
        Base64.Encoder e = Base64.getEncoder();
        for (User u : table.values()) {
            ObjectNode n = arr.addObject();
            n.put("name", u.name());
            n.put("role", u.role().name().toLowerCase(Locale.ROOT));
            n.put("salt", e.encodeToString(u.credentials().salt()));
            n.put("iterations", u.credentials().iterations());
            n.put("storedKey", e.encodeToString(u.credentials().storedKey()));
            n.put("serverKey", e.encodeToString(u.credentials().serverKey()));
            n.put("createdAt", u.createdAt());
        }
        DataLayout.writeOwnerOnly(file, JSON.writeValueAsBytes(root));
    }

    /** Parses admin, user or reader (any case); INVALID_ARGUMENT for anything else. */
    public static Role parseRole(String s) {
        return Roles.parse(s).orElseThrow(() -> new TetraException(ErrorCode.INVALID_ARGUMENT,
                "Unknown role '" + s + "': use admin, user or reader."));
    }

    private static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}")) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT,
                    "User names are 1 to 64 letters, digits, '_', '.', '@' or '-'.");
        }
    }

    private static void checkCredentials(Scram.Credentials c) {
        if (c == null || c.salt().length < 8 || c.iterations() < 4096 || c.iterations() > 1_000_000
                || c.storedKey().length != 32 || c.serverKey().length != 32) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT,
                    "Invalid SCRAM-SHA-256 credentials (salt of 8+ bytes, 4096+ iterations, 32-byte keys).");
        }
    }
}
