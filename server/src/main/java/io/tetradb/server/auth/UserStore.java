package io.tetradb.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.Roles;
import io.tetradb.protocol.TetraException;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.DataLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tetra's users, kept in {@code Structure/users.json} (owner-only): name, role and the
 * SCRAM-SHA-256 credentials (salt, iterations, StoredKey, ServerKey) — never a password.
 * Every change rewrites the file atomically.
 *
 * <p>Read on event loops (authentication) and changed on worker threads (admin
 * requests); all methods are synchronized and never block on anything but the file.
 */
public final class UserStore {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One user. */
    public record User(String name, Role role, Scram.Credentials credentials, long createdAt) {
    }

    private final Path file;
    private final Map<String, User> users = new TreeMap<>();

    public UserStore(Path file) {
        this.file = file;
    }

    /** Reads users.json when it exists. */
    public synchronized void load() throws IOException {
        users.clear();
        if (!Files.exists(file)) {
            return;
        }
        JsonNode root = JSON.readTree(file.toFile());
        Base64.Decoder d = Base64.getDecoder();
        for (JsonNode u : root.path("users")) {
            Scram.Credentials c = new Scram.Credentials(d.decode(u.path("salt").asText()),
                    u.path("iterations").asInt(), d.decode(u.path("storedKey").asText()),
                    d.decode(u.path("serverKey").asText()));
            User user = new User(u.path("name").asText(), parseRole(u.path("role").asText()), c,
                    u.path("createdAt").asLong());
            users.put(user.name(), user);
        }
    }

    /** Whether no user exists yet (first start). */
    public synchronized boolean isEmpty() {
        return users.isEmpty();
    }

    /** The user of that name, or null. */
    public synchronized User find(String name) {
        return users.get(name);
    }

    /** Every user, by name. */
    public synchronized List<User> list() {
        return new ArrayList<>(users.values());
    }

    /** Adds a user; 2010 when the name is taken or not valid. */
    public synchronized void add(String name, Role role, Scram.Credentials credentials) throws IOException {
        checkName(name);
        checkCredentials(credentials);
        if (role == null || role == Role.ROLE_UNSPECIFIED || role == Role.UNRECOGNIZED) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "A role is required: admin, user or reader.");
        }
        if (users.containsKey(name)) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "User '" + name + "' already exists.");
        }
        users.put(name, new User(name, role, credentials, System.currentTimeMillis()));
        save();
    }

    /** Removes a user; 2010 when unknown or when it is the last admin. */
    public synchronized void remove(String name) throws IOException {
        User u = users.get(name);
        if (u == null) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No user '" + name + "'.");
        }
        if (u.role() == Role.ADMIN && users.values().stream().filter(x -> x.role() == Role.ADMIN).count() == 1) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' is the last admin and cannot be removed.");
        }
        users.remove(name);
        save();
    }

    /** Replaces a user's credentials; 2010 when unknown. */
    public synchronized void setCredentials(String name, Scram.Credentials credentials) throws IOException {
        User u = users.get(name);
        if (u == null) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No user '" + name + "'.");
        }
        checkCredentials(credentials);
        users.put(name, new User(name, u.role(), credentials, u.createdAt()));
        save();
    }

    private void save() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        ArrayNode arr = root.putArray("users");
        Base64.Encoder e = Base64.getEncoder();
        for (User u : users.values()) {
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
