package io.tetradb.server.convert;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Where the older H2 engines live: {@code legacy-engines/h2-1.4.200.jar} (reads file
 * format 1 and the page store) and {@code legacy-engines/h2-2.1.214.jar} (reads format 2).
 * The build copies them there, beside {@code lib/} of the server and of tetra-admin, and
 * never onto the classpath. Found relative to the jar holding this class
 * ({@code <dir>/legacy-engines} or {@code <dir>/../legacy-engines}; in the build,
 * {@code server/target/legacy-engines}), or in a folder given explicitly.
 *
 * <p>Immutable; any thread.
 */
public final class LegacyEngines {
    /** The H2 version that reads file format 1 and the page store. */
    public static final String FORMAT1_VERSION;
    /** The H2 version that reads file format 2. */
    public static final String FORMAT2_VERSION;

    static {
        Properties p = new Properties();
        try (InputStream in = LegacyEngines.class.getResourceAsStream("/tetra-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // the defaults below are the versions the build ships
        }
        FORMAT1_VERSION = filtered(p.getProperty("h2.format1"), "1.4.200");
        FORMAT2_VERSION = filtered(p.getProperty("h2.format2"), "2.1.214");
    }

    private final Path dir;

    private LegacyEngines(Path dir) {
        this.dir = dir;
    }

    private static String filtered(String v, String dflt) {
        return v == null || v.isBlank() || v.startsWith("${") ? dflt : v.trim();
    }

    /** The engines in {@code dir}. */
    public static LegacyEngines in(Path dir) {
        return new LegacyEngines(dir.toAbsolutePath().normalize());
    }

    /** The engines in {@code dir} when given, otherwise beside the jar that holds this class. */
    public static LegacyEngines locate(Path dir) {
        if (dir != null) {
            return in(dir);
        }
        List<Path> candidates = candidates();
        for (Path c : candidates) {
            if (Files.isDirectory(c)) {
                return in(c);
            }
        }
        return in(candidates.isEmpty() ? Path.of("legacy-engines") : candidates.get(0));
    }

    private static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        try {
            CodeSource cs = LegacyEngines.class.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null) {
                Path here = Path.of(cs.getLocation().toURI());
                // A jar (target/tetra-server.jar, lib/tetra-server-x.jar) or a classes folder (target/classes).
                Path base = here.getParent();
                if (base != null) {
                    out.add(base.resolve("legacy-engines"));
                    if (base.getParent() != null) {
                        out.add(base.getParent().resolve("legacy-engines"));
                    }
                }
            }
        } catch (URISyntaxException | IllegalArgumentException | SecurityException ignored) {
            // no code source: the working directory's legacy-engines
        }
        return out;
    }

    /** The folder searched. */
    public Path dir() {
        return dir;
    }

    /** The jar of H2 {@code version}. */
    public Path jar(String version) {
        return dir.resolve("h2-" + version + ".jar");
    }

    /** Whether the jar of H2 {@code version} is there. */
    public boolean has(String version) {
        return Files.isRegularFile(jar(version));
    }

    /**
     * Loads the engine that reads {@code format}: the older H2 that wrote it, or the current
     * engine for format 3.
     */
    public LegacyEngine engineFor(DataFileFormat format) throws IOException {
        String version = format.readerVersion();
        if (version == null) {
            return LegacyEngine.current();
        }
        Path jar = jar(version);
        if (!Files.isRegularFile(jar)) {
            throw new IOException("The H2 " + version + " engine that reads " + format.describe() + " is missing: "
                    + jar + " was not found. It ships in legacy-engines/ beside the server's lib/ folder "
                    + "(build it with 'mvn package').");
        }
        return LegacyEngine.load(jar);
    }
}
