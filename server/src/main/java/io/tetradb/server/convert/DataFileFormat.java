package io.tetradb.server.convert;

/**
 * What wrote a data file, as its own header tells (docs/conversion.md): H2's file
 * format 1 (H2 1.4.x, MVStore), the older page store ({@code .h2.db}, read by H2 1.4.x),
 * format 2 (H2 2.0.202 to 2.1.214), format 3 (H2 2.2.220 on, what this server opens),
 * a newer format than this server knows, or not an H2 data file at all.
 *
 * <p>Immutable; any thread.
 */
public record DataFileFormat(Kind kind, int number) {
    /** The format this server's engine writes and opens directly. */
    public static final int CURRENT = 3;

    /** The families of data files. */
    public enum Kind {
        /** H2 1.4.x and older page store ({@code .h2.db}). */
        PAGE_STORE,
        /** An MVStore file ({@code .mv.db}) with its format number. */
        MVSTORE,
        /** Not an H2 data file (or an encrypted one, whose header cannot be read). */
        UNKNOWN
    }

    public static DataFileFormat pageStore() {
        return new DataFileFormat(Kind.PAGE_STORE, 1);
    }

    public static DataFileFormat mvStore(int format) {
        return new DataFileFormat(Kind.MVSTORE, format);
    }

    public static DataFileFormat unknown() {
        return new DataFileFormat(Kind.UNKNOWN, 0);
    }

    /** Whether this server must convert the file before opening it (an older, known format). */
    public boolean needsConversion() {
        return kind == Kind.PAGE_STORE || (kind == Kind.MVSTORE && number >= 1 && number < CURRENT);
    }

    /** Whether the file is newer than this server knows (refused, never converted). */
    public boolean isNewer() {
        return kind == Kind.MVSTORE && number > CURRENT;
    }

    /** Whether this server opens the file as it is. */
    public boolean isCurrent() {
        return kind == Kind.MVSTORE && number == CURRENT;
    }

    /** Short name for messages and JSON: {@code format 1}, {@code page store}, ... */
    public String shortName() {
        switch (kind) {
            case PAGE_STORE:
                return "page store";
            case MVSTORE:
                return "format " + number;
            default:
                return "unknown";
        }
    }

    /** A sentence for people: which format, and which H2 versions wrote it. */
    public String describe() {
        switch (kind) {
            case PAGE_STORE:
                return "the page store (.h2.db) of H2 1.4.x and older";
            case MVSTORE:
                switch (number) {
                    case 1:
                        return "file format 1 (H2 1.4.x, MVStore)";
                    case 2:
                        return "file format 2 (H2 2.0.202 to 2.1.214)";
                    case 3:
                        return "file format 3 (H2 2.2.220 and later)";
                    default:
                        return "file format " + number + " (newer than this server knows)";
                }
            default:
                return "not an H2 data file (or an encrypted one)";
        }
    }

    /** The H2 version whose engine reads this format for the export (null: the current engine). */
    public String readerVersion() {
        if (kind == Kind.PAGE_STORE || (kind == Kind.MVSTORE && number == 1)) {
            return LegacyEngines.FORMAT1_VERSION;
        }
        if (kind == Kind.MVSTORE && number == 2) {
            return LegacyEngines.FORMAT2_VERSION;
        }
        return null;
    }

    @Override
    public String toString() {
        return shortName();
    }
}
