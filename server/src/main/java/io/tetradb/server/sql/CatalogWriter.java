package io.tetradb.server.sql;

import io.tetradb.server.DataLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Writes {@code Structure/catalog.xml}: every table and view with its columns and
 * indexes, and every sequence. Tables and fields keep stable numbers (table 1..n, field
 * 1..n within a table) and ids across rewrites: numbers are matched by name against the
 * previous catalog, new objects get the next number, and numbers of dropped objects are
 * never given again. Rewritten atomically after every DDL.
 *
 * <p>Called on worker threads after a structure write and on the main thread at start;
 * synchronized on the {@link Database}.
 */
public final class CatalogWriter {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogWriter.class);

    private final Database database;
    private final DataLayout layout;
    private volatile String problem;

    public CatalogWriter(Database database, DataLayout layout) {
        this.database = database;
        this.layout = layout;
    }

    private record FieldEntry(int number, String id) {
    }

    private static final class TableEntry {
        int number;
        String id;
        int nextField = 1;
        final Map<String, FieldEntry> fields = new LinkedHashMap<>();
    }

    /**
     * Rewrites catalog.xml from the engine's current structure. Returns null when it is up
     * to date, else why not (also kept for {@link #problem()} and logged as an error): a
     * catalog that cannot be written, or a previous one that cannot be read, which is
     * never overwritten, so that table and field numbers never change silently.
     */
    public String rewrite() {
        synchronized (database) {
            try {
                write();
                problem = null;
            } catch (UnreadableCatalogException e) {
                problem = e.getMessage();
                LOG.error("{}", problem);
            } catch (Exception e) {
                problem = "Structure/catalog.xml could not be written (" + e.getMessage()
                        + "); it is rewritten after the next structure change.";
                LOG.error("catalog.xml could not be rewritten.", e);
            }
            return problem;
        }
    }

    /** Why catalog.xml is not up to date, or null when it is (any thread). */
    public String problem() {
        return problem;
    }

    /**
     * Checks at start that a previous catalog.xml can be read.
     *
     * @throws UnreadableCatalogException naming the file and what to do
     */
    public void checkReadable() {
        readPrevious(layout.catalogFile(), new LinkedHashMap<>());
    }

    /** A previous catalog.xml exists but cannot be read: its numbers would be lost. */
    public static final class UnreadableCatalogException extends RuntimeException {
        UnreadableCatalogException(Path file, Exception cause) {
            super("The structure file " + file + " cannot be read (" + cause.getMessage() + "). Its table and field"
                    + " numbers would be lost, so it is not overwritten: restore it from a backup, or move it away"
                    + " to number the tables anew.", cause);
        }
    }

    private void write() throws Exception {
        Path file = layout.catalogFile();
        Map<String, TableEntry> previous = new LinkedHashMap<>();
        int nextTable = readPrevious(file, previous);

        DocumentBuilder db = newBuilder();
        Document doc = db.newDocument();
        Element catalog = doc.createElement("catalog");
        catalog.setAttribute("database", layout.databaseName());
        catalog.setAttribute("format", "1");
        catalog.setAttribute("h2Version", Database.h2Version());
        doc.appendChild(catalog);

        Connection c = database.system();
        Map<String, Element> tableElements = new LinkedHashMap<>();
        Map<String, TableEntry> entries = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES "
                     + "WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA' ORDER BY TABLE_SCHEMA, TABLE_NAME")) {
            while (rs.next()) {
                String key = rs.getString(1) + "." + rs.getString(2);
                TableEntry e = previous.get(key);
                if (e == null) {
                    e = new TableEntry();
                    e.number = nextTable++;
                    e.id = UUID.randomUUID().toString();
                }
                entries.put(key, e);
                Element t = doc.createElement("table");
                t.setAttribute("number", Integer.toString(e.number));
                t.setAttribute("id", e.id);
                t.setAttribute("schema", rs.getString(1));
                t.setAttribute("name", rs.getString(2));
                t.setAttribute("type", rs.getString(3));
                tableElements.put(key, t);
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_NULLABLE, "
                     + "CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, IS_IDENTITY "
                     + "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA' "
                     + "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION")) {
            Map<String, Map<String, FieldEntry>> newFields = new LinkedHashMap<>();
            while (rs.next()) {
                String key = rs.getString(1) + "." + rs.getString(2);
                TableEntry e = entries.get(key);
                Element t = tableElements.get(key);
                if (e == null || t == null) {
                    continue;
                }
                String col = rs.getString(3);
                FieldEntry f = e.fields.get(col);
                if (f == null) {
                    f = new FieldEntry(e.nextField++, UUID.randomUUID().toString());
                }
                newFields.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(col, f);
                Element fe = doc.createElement("field");
                fe.setAttribute("number", Integer.toString(f.number()));
                fe.setAttribute("id", f.id());
                fe.setAttribute("name", col);
                fe.setAttribute("type", rs.getString(4));
                fe.setAttribute("nullable", Boolean.toString("YES".equals(rs.getString(5))));
                setIfPresent(fe, "length", rs.getObject(6));
                setIfPresent(fe, "precision", rs.getObject(7));
                setIfPresent(fe, "scale", rs.getObject(8));
                if ("YES".equals(rs.getString(9))) {
                    fe.setAttribute("identity", "true");
                }
                t.appendChild(fe);
            }
            for (Map.Entry<String, TableEntry> en : entries.entrySet()) {
                TableEntry e = en.getValue();
                e.fields.clear();
                e.fields.putAll(newFields.getOrDefault(en.getKey(), Map.of()));
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT I.TABLE_SCHEMA, I.TABLE_NAME, I.INDEX_NAME, I.INDEX_TYPE_NAME, "
                     + "LISTAGG(C.COLUMN_NAME, ',') WITHIN GROUP (ORDER BY C.ORDINAL_POSITION) "
                     + "FROM INFORMATION_SCHEMA.INDEXES I JOIN INFORMATION_SCHEMA.INDEX_COLUMNS C "
                     + "ON I.INDEX_SCHEMA = C.INDEX_SCHEMA AND I.INDEX_NAME = C.INDEX_NAME "
                     + "AND I.TABLE_NAME = C.TABLE_NAME "
                     + "WHERE I.TABLE_SCHEMA <> 'INFORMATION_SCHEMA' "
                     + "GROUP BY I.TABLE_SCHEMA, I.TABLE_NAME, I.INDEX_NAME, I.INDEX_TYPE_NAME "
                     + "ORDER BY I.TABLE_SCHEMA, I.TABLE_NAME, I.INDEX_NAME")) {
            while (rs.next()) {
                Element t = tableElements.get(rs.getString(1) + "." + rs.getString(2));
                if (t == null) {
                    continue;
                }
                Element ie = doc.createElement("index");
                ie.setAttribute("name", rs.getString(3));
                ie.setAttribute("type", rs.getString(4));
                ie.setAttribute("columns", rs.getString(5));
                t.appendChild(ie);
            }
        }
        for (Map.Entry<String, Element> en : tableElements.entrySet()) {
            en.getValue().setAttribute("nextFieldNumber", Integer.toString(entries.get(en.getKey()).nextField));
            catalog.appendChild(en.getValue());
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SEQUENCE_SCHEMA, SEQUENCE_NAME FROM INFORMATION_SCHEMA.SEQUENCES "
                     + "ORDER BY SEQUENCE_SCHEMA, SEQUENCE_NAME")) {
            while (rs.next()) {
                Element se = doc.createElement("sequence");
                se.setAttribute("schema", rs.getString(1));
                se.setAttribute("name", rs.getString(2));
                catalog.appendChild(se);
            }
        }
        catalog.setAttribute("nextTableNumber", Integer.toString(nextTable));

        Transformer tf = TransformerFactory.newInstance().newTransformer();
        tf.setOutputProperty(OutputKeys.INDENT, "yes");
        tf.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
        tf.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tf.transform(new DOMSource(doc), new StreamResult(out));
        DataLayout.writeAtomically(file, out.toByteArray(), false);
    }

    private static void setIfPresent(Element e, String attr, Object v) {
        if (v != null) {
            e.setAttribute(attr, v.toString());
        }
    }

    private static int readPrevious(Path file, Map<String, TableEntry> into) {
        if (!Files.isRegularFile(file)) {
            return 1;
        }
        try {
            Document doc = newBuilder().parse(file.toFile());
            Element root = doc.getDocumentElement();
            NodeList tables = root.getElementsByTagName("table");
            int max = 0;
            for (int i = 0; i < tables.getLength(); i++) {
                Element t = (Element) tables.item(i);
                TableEntry e = new TableEntry();
                e.number = Integer.parseInt(t.getAttribute("number"));
                e.id = t.getAttribute("id");
                max = Math.max(max, e.number);
                NodeList fields = t.getElementsByTagName("field");
                int maxField = 0;
                for (int j = 0; j < fields.getLength(); j++) {
                    Element f = (Element) fields.item(j);
                    int n = Integer.parseInt(f.getAttribute("number"));
                    maxField = Math.max(maxField, n);
                    e.fields.put(f.getAttribute("name"), new FieldEntry(n, f.getAttribute("id")));
                }
                String nf = t.getAttribute("nextFieldNumber");
                e.nextField = Math.max(maxField + 1, nf.isEmpty() ? 1 : Integer.parseInt(nf));
                into.put(t.getAttribute("schema") + "." + t.getAttribute("name"), e);
            }
            String next = root.getAttribute("nextTableNumber");
            return Math.max(max + 1, next.isEmpty() ? 1 : Integer.parseInt(next));
        } catch (Exception e) {
            throw new UnreadableCatalogException(file, e);
        }
    }

    private static DocumentBuilder newBuilder() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder();
    }

    /**
     * Refreshes the reader grants and the catalog after a structure write; returns null,
     * or what the statement's reply should warn of.
     */
    public String afterStructureWrite() {
        String grants = null;
        try {
            database.grantReaderSelect();
        } catch (SQLException e) {
            LOG.error("Reader grants could not be refreshed: {}", e.getMessage());
            grants = "The reader role's rights could not be refreshed (" + e.getMessage() + ").";
        }
        String catalog = rewrite();
        return catalog == null ? grants : grants == null ? catalog : grants + " " + catalog;
    }
}
