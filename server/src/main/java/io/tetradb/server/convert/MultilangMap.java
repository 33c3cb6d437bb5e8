package io.tetradb.server.convert;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code multilang.txt} (docs/conversion.md, step 6): which character set the legacy 8-bit
 * text of a column is really in. One entry a line:
 *
 * <pre>
 * table;field;code              e.g.  3;2;1049      CUSTOMER;NAME;windows-1251
 * table;field;subfield;code     e.g.  ITEM;TAGS;2;1032   (element 2 of an array; * = every element)
 * </pre>
 *
 * Tables and fields by number (as in catalog.xml) or by name ({@code SCHEMA.TABLE} or a
 * table name alone); the code is a Windows language id (1049 Russian → windows-1251, 1032
 * Greek → windows-1253, ...) or a charset name. Line ends CR, CRLF or LF; blank lines,
 * spaces around the parts and {@code #} comments are allowed. A line that cannot be read or
 * addresses nothing is reported (and logged by the conversion), never fatal.
 *
 * <p>Immutable after {@link #parse}; any thread.
 */
final class MultilangMap {
    /** One readable line: what it addresses (still unresolved) and the charset. */
    record Entry(int line, String text, String table, String field, String subfield, Charset charset) {
    }

    private final List<Entry> entries;
    private final List<String> problems;

    private MultilangMap(List<Entry> entries, List<String> problems) {
        this.entries = List.copyOf(entries);
        this.problems = List.copyOf(problems);
    }

    static MultilangMap empty() {
        return new MultilangMap(List.of(), List.of());
    }

    /** Reads {@code file} (UTF-8; any line end). */
    static MultilangMap parse(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
    }

    static MultilangMap parse(String content, String name) {
        List<Entry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String[] lines = content.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            String line = raw.strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(";", -1);
            for (int p = 0; p < parts.length; p++) {
                parts[p] = parts[p].strip();
            }
            if (parts.length < 3 || parts.length > 4) {
                problems.add(name + " line " + (i + 1) + " '" + line + "': expected table;field;code or "
                        + "table;field;subfield;code");
                continue;
            }
            String code = parts[parts.length - 1];
            Charset cs = charset(code);
            if (cs == null) {
                problems.add(name + " line " + (i + 1) + " '" + line + "': '" + code
                        + "' is neither a known Windows language id nor a charset name");
                continue;
            }
            if (parts[0].isEmpty() || parts[1].isEmpty() || (parts.length == 4 && parts[2].isEmpty())) {
                problems.add(name + " line " + (i + 1) + " '" + line + "': a table, field or subfield is empty");
                continue;
            }
            entries.add(new Entry(i + 1, line, parts[0], parts[1], parts.length == 4 ? parts[2] : null, cs));
        }
        return new MultilangMap(entries, problems);
    }

    /** The charset of a code: a Windows language id, or a charset name; null when neither. */
    static Charset charset(String code) {
        if (code.matches("\\d+")) {
            String name = WINDOWS_LANGUAGES.get(Integer.parseInt(code));
            return name == null ? null : Charset.forName(name);
        }
        try {
            return Charset.forName(code);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    List<Entry> entries() {
        return entries;
    }

    /** Lines that could not be read (each a sentence naming the line). */
    List<String> problems() {
        return problems;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Windows language ids (LCIDs) to the ANSI code page their 8-bit text used. */
    private static final Map<Integer, String> WINDOWS_LANGUAGES = new HashMap<>();

    static {
        String w1250 = "windows-1250";
        String w1251 = "windows-1251";
        String w1252 = "windows-1252";
        String w1253 = "windows-1253";
        String w1254 = "windows-1254";
        String w1257 = "windows-1257";
        // Cyrillic: Russian, Ukrainian, Bulgarian, Belarusian, Serbian (Cyrillic), Macedonian, Kazakh, Kyrgyz, Tatar, Mongolian
        for (int id : new int[] {1049, 1058, 1026, 1059, 3098, 1071, 1087, 1088, 1092, 1104, 2073}) {
            WINDOWS_LANGUAGES.put(id, w1251);
        }
        // Central European: Czech, Polish, Hungarian, Croatian, Slovak, Slovenian, Romanian, Albanian, Serbian (Latin), Bosnian
        for (int id : new int[] {1029, 1045, 1038, 1050, 1051, 1060, 1048, 1052, 2074, 5146}) {
            WINDOWS_LANGUAGES.put(id, w1250);
        }
        WINDOWS_LANGUAGES.put(1032, w1253); // Greek
        for (int id : new int[] {1055, 1068, 1091}) { // Turkish, Azeri (Latin), Uzbek (Latin)
            WINDOWS_LANGUAGES.put(id, w1254);
        }
        WINDOWS_LANGUAGES.put(1037, "windows-1255"); // Hebrew
        for (int id : new int[] {1025, 2049, 3073, 4097, 5121, 6145, 7169, 8193, 9217, 10241, 11265, 12289, 13313,
                14337, 15361, 16385, 1065, 1056}) { // Arabic variants, Farsi, Urdu
            WINDOWS_LANGUAGES.put(id, "windows-1256");
        }
        for (int id : new int[] {1061, 1062, 1063}) { // Estonian, Latvian, Lithuanian
            WINDOWS_LANGUAGES.put(id, w1257);
        }
        WINDOWS_LANGUAGES.put(1066, "windows-1258"); // Vietnamese
        WINDOWS_LANGUAGES.put(1054, "x-windows-874"); // Thai
        WINDOWS_LANGUAGES.put(1041, "windows-31j"); // Japanese (Shift_JIS)
        WINDOWS_LANGUAGES.put(2052, "GBK"); // Chinese (Simplified)
        WINDOWS_LANGUAGES.put(4100, "GBK"); // Chinese (Singapore)
        WINDOWS_LANGUAGES.put(1028, "x-windows-950"); // Chinese (Traditional, Big5)
        WINDOWS_LANGUAGES.put(3076, "x-windows-950"); // Chinese (Hong Kong)
        WINDOWS_LANGUAGES.put(1042, "x-windows-949"); // Korean
        // Western European: English, French, German, Italian, Spanish, Dutch, Danish, Norwegian, Swedish, Finnish,
        // Portuguese, Icelandic, Catalan, Basque, Galician, Afrikaans, Indonesian, Malay, Swahili
        for (int id : new int[] {1033, 2057, 3081, 4105, 1036, 2060, 3084, 4108, 1031, 2055, 3079, 1040, 2064, 1034,
                3082, 2058, 1043, 2067, 1030, 1044, 2068, 1053, 1035, 2070, 1046, 1039, 1027, 1069, 1110, 1078, 1057,
                1086, 1089}) {
            WINDOWS_LANGUAGES.put(id, w1252);
        }
    }

    /** Whether {@code code} is a Windows language id this map knows. */
    static boolean isKnownLanguage(int code) {
        return WINDOWS_LANGUAGES.containsKey(code);
    }

    @Override
    public String toString() {
        return entries.size() + " entries" + (problems.isEmpty() ? "" : ", " + problems.size() + " unreadable");
    }
}
