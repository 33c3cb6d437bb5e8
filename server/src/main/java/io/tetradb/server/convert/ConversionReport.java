package io.tetradb.server.convert;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a finished conversion did: per table the rows and checksum of the source and of
 * the converted database (equal, or the conversion would have failed), the time each step
 * took, the non-critical anomalies, and where the new files and the safety copies are.
 *
 * <p>Immutable; any thread.
 */
public final class ConversionReport {
    /** One table: rows and content checksum, in the source and after conversion. */
    public record TableResult(String table, long sourceRows, String sourceChecksum, long rows, String checksum) {
        public boolean matches() {
            return sourceRows == rows && sourceChecksum.equals(checksum);
        }
    }

    /** One step: its number, title and how long it took. */
    public record StepTime(int number, String title, long millis) {
    }

    private final String database;
    private final String sourceFormat;
    private final String newDataFile;
    private final List<TableResult> tables;
    private final List<StepTime> steps;
    private final List<String> anomalies;
    private final List<String> safetyFolders;
    private final String logFile;
    private final long millis;
    private final boolean converted;
    private final int indexes;
    private final long textValuesRepaired;

    ConversionReport(String database, String sourceFormat, String newDataFile, List<TableResult> tables,
                     List<StepTime> steps, List<String> anomalies, List<String> safetyFolders, String logFile,
                     long millis, boolean converted, int indexes, long textValuesRepaired) {
        this.database = database;
        this.sourceFormat = sourceFormat;
        this.newDataFile = newDataFile;
        this.tables = List.copyOf(tables);
        this.steps = List.copyOf(steps);
        this.anomalies = List.copyOf(anomalies);
        this.safetyFolders = List.copyOf(safetyFolders);
        this.logFile = logFile;
        this.millis = millis;
        this.converted = converted;
        this.indexes = indexes;
        this.textValuesRepaired = textValuesRepaired;
    }

    /** The report of a data file that needed no conversion. */
    static ConversionReport nothingToDo(ConversionPlan plan) {
        return new ConversionReport(plan.databaseRoot().toString(), plan.format().shortName(),
                plan.newDataFile().toString(), List.of(), List.of(), List.of(), List.of(), null, 0, false, 0, 0);
    }

    public String database() {
        return database;
    }

    public String sourceFormat() {
        return sourceFormat;
    }

    public String newDataFile() {
        return newDataFile;
    }

    public List<TableResult> tables() {
        return tables;
    }

    public long totalRows() {
        long n = 0;
        for (TableResult t : tables) {
            n += t.rows();
        }
        return n;
    }

    public List<StepTime> steps() {
        return steps;
    }

    /** Non-critical anomalies (also in DataConversion_Log.log). */
    public List<String> anomalies() {
        return anomalies;
    }

    public List<String> safetyFolders() {
        return safetyFolders;
    }

    /** DataConversion_Log.log. */
    public String logFile() {
        return logFile;
    }

    public long millis() {
        return millis;
    }

    /** False when the data file was already in the current format. */
    public boolean converted() {
        return converted;
    }

    /** Indexes (primary keys and unique constraints included) rebuilt in the new data file. */
    public int indexes() {
        return indexes;
    }

    /** Text values re-read in their real character set (multilang.txt, --default-charset). */
    public long textValuesRepaired() {
        return textValuesRepaired;
    }

    /** The report as a JSON-ready map. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("converted", converted);
        m.put("database", database);
        m.put("sourceFormat", sourceFormat);
        m.put("newDataFile", newDataFile);
        m.put("tableCount", tables.size());
        m.put("rows", totalRows());
        m.put("indexes", indexes);
        m.put("textValuesRepaired", textValuesRepaired);
        m.put("millis", millis);
        List<Map<String, Object>> ts = new ArrayList<>();
        for (TableResult t : tables) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("table", t.table());
            tm.put("rows", t.rows());
            tm.put("sourceRows", t.sourceRows());
            tm.put("checksum", t.checksum());
            tm.put("sourceChecksum", t.sourceChecksum());
            tm.put("verified", t.matches());
            ts.add(tm);
        }
        m.put("tables", ts);
        List<Map<String, Object>> ss = new ArrayList<>();
        for (StepTime s : steps) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("step", s.number());
            sm.put("title", s.title());
            sm.put("millis", s.millis());
            ss.add(sm);
        }
        m.put("steps", ss);
        m.put("anomalies", anomalies);
        m.put("safetyCopyFolders", safetyFolders);
        m.put("log", logFile);
        return m;
    }
}
