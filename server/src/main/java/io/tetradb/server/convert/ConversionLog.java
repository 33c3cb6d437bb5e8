package io.tetradb.server.convert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code DataConversion_Log.log} (docs/conversion.md, step 7): one section per conversion,
 * appended to {@code <db>/Logs/DataConversion_Log.log}: what was converted with which
 * engines and options, each step with its duration, every non-critical anomaly, each
 * table's row count and checksum in the source and after conversion, and the outcome.
 * Lines are {@code timestamp<TAB>kind<TAB>text}.
 *
 * <p>The conversion's thread.
 */
final class ConversionLog {
    static final String FILE_NAME = "DataConversion_Log.log";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);
    private final List<String> lines = new ArrayList<>();
    private final List<String> anomalies = new ArrayList<>();

    void info(String text) {
        add("INFO", text);
    }

    /** A non-critical anomaly: logged, counted in the summary, never fatal. */
    void anomaly(String text) {
        anomalies.add(text);
        add("ANOMALY", text);
    }

    void error(String text) {
        add("ERROR", text);
    }

    void table(String text) {
        add("TABLE", text);
    }

    private void add(String kind, String text) {
        lines.add(TIME.format(Instant.now()) + "\t" + kind + "\t" + text.replace('\n', ' ').replace('\t', ' '));
    }

    List<String> anomalies() {
        return anomalies;
    }

    /** Appends this conversion's section to {@code file}. */
    void appendTo(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append(System.lineSeparator());
        }
        sb.append(System.lineSeparator());
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
