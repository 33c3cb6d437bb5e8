package io.tetradb.server.convert;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The options of one conversion ({@code tetra-admin convert}'s flags, or the server's
 * defaults at start). Immutable, built with {@link #builder()}.
 *
 * <p>Any thread.
 */
public final class ConversionOptions {
    private final Path to;
    private final Path dataFile;
    private final List<Path> segmentDirs;
    private final Path multilang;
    private final Charset defaultCharset;
    private final boolean noStartupHooks;
    private final String sourceUser;
    private final String sourcePassword;
    private final long keepFree;
    private final Path legacyEnginesDir;
    private final Integer segmentCount;

    private ConversionOptions(Builder b) {
        this.to = b.to;
        this.dataFile = b.dataFile;
        this.segmentDirs = List.copyOf(b.segmentDirs);
        this.multilang = b.multilang;
        this.defaultCharset = b.defaultCharset;
        this.noStartupHooks = b.noStartupHooks;
        this.sourceUser = b.sourceUser;
        this.sourcePassword = b.sourcePassword;
        this.keepFree = b.keepFree;
        this.legacyEnginesDir = b.legacyEnginesDir;
        this.segmentCount = b.segmentCount;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default options (what the server uses with {@code conversion: auto}). */
    public static ConversionOptions defaults() {
        return builder().build();
    }

    /** {@code --to DIR}: a new database folder to convert into (the source is then left as it is); null: in place. */
    public Path to() {
        return to;
    }

    /** {@code --data-file F}: which data file of a database folder to convert; null: the database's own. */
    public Path dataFile() {
        return dataFile;
    }

    /** {@code --segment-dir D}: other folders where segments ({@code *.part}) of a split data file are. */
    public List<Path> segmentDirs() {
        return segmentDirs;
    }

    /** {@code --multilang F}: the charset map; null: {@code multilang.txt} beside the data file, when there is one. */
    public Path multilang() {
        return multilang;
    }

    /** {@code --default-charset C}: the charset of every other text column; null: other text kept as it is. */
    public Charset defaultCharset() {
        return defaultCharset;
    }

    /** {@code --no-startup-hooks}: the first open after the conversion runs no startup hooks. */
    public boolean noStartupHooks() {
        return noStartupHooks;
    }

    /** The H2 user of a bare legacy file; null: the database's engine account, then {@code SA}. */
    public String sourceUser() {
        return sourceUser;
    }

    /** That user's password; null: none given (an empty password is tried for {@code SA}). */
    public String sourcePassword() {
        return sourcePassword;
    }

    /** Bytes that must stay free on each disk beyond what the conversion writes. Default 0. */
    public long keepFree() {
        return keepFree;
    }

    /** Where the old engines are; null: {@code legacy-engines/} beside the jars. */
    public Path legacyEnginesDir() {
        return legacyEnginesDir;
    }

    /**
     * {@code --segments N}: how many segment files ({@code *.part}) the split data file has,
     * when the last one found is exactly full (it may then go on in one that is missing);
     * null: not said.
     */
    public Integer segmentCount() {
        return segmentCount;
    }

    /** Mutable builder. */
    public static final class Builder {
        private Path to;
        private Path dataFile;
        private final List<Path> segmentDirs = new ArrayList<>();
        private Path multilang;
        private Charset defaultCharset;
        private boolean noStartupHooks;
        private String sourceUser;
        private String sourcePassword;
        private long keepFree;
        private Path legacyEnginesDir;
        private Integer segmentCount;

        private Builder() {
        }

        public Builder to(Path v) {
            to = v;
            return this;
        }

        public Builder dataFile(Path v) {
            dataFile = v;
            return this;
        }

        public Builder segmentDir(Path v) {
            segmentDirs.add(Objects.requireNonNull(v, "segmentDir"));
            return this;
        }

        public Builder multilang(Path v) {
            multilang = v;
            return this;
        }

        public Builder defaultCharset(Charset v) {
            defaultCharset = v;
            return this;
        }

        public Builder noStartupHooks(boolean v) {
            noStartupHooks = v;
            return this;
        }

        public Builder sourceUser(String v) {
            sourceUser = v;
            return this;
        }

        public Builder sourcePassword(String v) {
            sourcePassword = v;
            return this;
        }

        public Builder keepFree(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("keepFree must not be negative");
            }
            keepFree = v;
            return this;
        }

        public Builder legacyEnginesDir(Path v) {
            legacyEnginesDir = v;
            return this;
        }

        public Builder segmentCount(Integer v) {
            segmentCount = v;
            return this;
        }

        public ConversionOptions build() {
            return new ConversionOptions(this);
        }
    }
}
