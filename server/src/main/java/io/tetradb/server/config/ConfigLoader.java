package io.tetradb.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the effective {@link ServerConfig}: tetra.yml (when given), then TETRA_*
 * environment variables, then command-line flags, each overriding the one before.
 * Unknown keys in tetra.yml and bad values anywhere stop the start with a message
 * naming the key.
 *
 * <p>Runs once on the main thread at start.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** The environment variable for a key: dataDir becomes TETRA_DATA_DIR, sql.engineAdmin TETRA_SQL_ENGINE_ADMIN. */
    public static String envName(String key) {
        StringBuilder sb = new StringBuilder("TETRA_");
        for (char c : key.toCharArray()) {
            if (c == '.') {
                sb.append('_');
                continue;
            }
            if (Character.isUpperCase(c)) {
                sb.append('_');
            }
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }

    /**
     * Loads the settings.
     *
     * @param configFile tetra.yml, or null
     * @param env        the environment (System.getenv() in production)
     * @param flags      key to value from the command line
     */
    public static ServerConfig load(Path configFile, Map<String, String> env, Map<String, String> flags) {
        ServerConfig.Builder b = ServerConfig.builder();
        if (configFile != null) {
            applyYaml(b, configFile);
        }
        for (String key : ServerConfig.KEYS) {
            String v = env.get(envName(key));
            if (v != null) {
                try {
                    b.set(key, v);
                } catch (ConfigException e) {
                    throw new ConfigException(envName(key) + " (" + e.getMessage() + ")");
                }
            }
        }
        for (Map.Entry<String, String> e : flags.entrySet()) {
            b.set(e.getKey(), e.getValue());
        }
        return b.build().validate();
    }

    private static void applyYaml(ServerConfig.Builder b, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist or is not a file");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + file + " must hold a mapping of settings");
        }
        applyMapping(b, file, "", root);
    }

    /** Sets every value of a mapping; a nested mapping {@code sql: {engineAdmin: true}} is the key sql.engineAdmin. */
    private static void applyMapping(ServerConfig.Builder b, Path file, String prefix, JsonNode mapping) {
        Iterator<Map.Entry<String, JsonNode>> it = mapping.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode n = e.getValue();
            if (n.isObject()) {
                applyMapping(b, file, key + ".", n);
                continue;
            }
            if (n.isContainerNode()) {
                throw new ConfigException(key + ": expected a single value in " + file);
            }
            try {
                b.set(key, n.isNull() ? "" : n.asText());
            } catch (ConfigException ex) {
                throw new ConfigException(ex.getMessage() + " in " + file);
            }
        }
    }

    /** Lower-case helper for flag names (--data-dir to dataDir). */
    public static String flagToKey(String flag) {
        String f = flag.startsWith("--") ? flag.substring(2) : flag;
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : f.toCharArray()) {
            if (c == '-') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString().isEmpty() ? f.toLowerCase(Locale.ROOT) : sb.toString();
    }
}
