package io.tetradb.server.convert;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table and field numbers the converted database's catalog.xml will give (numbers as
 * {@code CatalogWriter} assigns them: kept from the previous catalog.xml by name, new
 * tables numbered on in schema-and-name order, new fields in column order), known before
 * the conversion so that multilang.txt lines that name tables and fields by number can be
 * resolved when the source is checked.
 *
 * <p>Immutable once built; the conversion's thread.
 */
final class CatalogNumbers {
    private final Map<String, Integer> tableNumbers = new LinkedHashMap<>();
    private final Map<String, Map<String, Integer>> fieldNumbers = new HashMap<>();

    /** Numbers for {@code structure}, continuing {@code previousCatalog} when it exists. */
    static CatalogNumbers predict(Path previousCatalog, SourceStructure structure) {
        CatalogNumbers n = new CatalogNumbers();
        Map<String, Integer> prevTables = new HashMap<>();
        Map<String, Map<String, Integer>> prevFields = new HashMap<>();
        Map<String, Integer> prevNextField = new HashMap<>();
        int nextTable = 1;
        if (previousCatalog != null && Files.isRegularFile(previousCatalog)) {
            try {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                Document doc = f.newDocumentBuilder().parse(previousCatalog.toFile());
                Element root = doc.getDocumentElement();
                NodeList tables = root.getElementsByTagName("table");
                int max = 0;
                for (int i = 0; i < tables.getLength(); i++) {
                    Element t = (Element) tables.item(i);
                    String key = t.getAttribute("schema") + "." + t.getAttribute("name");
                    int number = Integer.parseInt(t.getAttribute("number"));
                    max = Math.max(max, number);
                    prevTables.put(key, number);
                    Map<String, Integer> fields = new HashMap<>();
                    NodeList fl = t.getElementsByTagName("field");
                    int maxField = 0;
                    for (int j = 0; j < fl.getLength(); j++) {
                        Element fe = (Element) fl.item(j);
                        int fn = Integer.parseInt(fe.getAttribute("number"));
                        maxField = Math.max(maxField, fn);
                        fields.put(fe.getAttribute("name"), fn);
                    }
                    prevFields.put(key, fields);
                    String nf = t.getAttribute("nextFieldNumber");
                    prevNextField.put(key, Math.max(maxField + 1, nf.isEmpty() ? 1 : Integer.parseInt(nf)));
                }
                String next = root.getAttribute("nextTableNumber");
                nextTable = Math.max(max + 1, next.isEmpty() ? 1 : Integer.parseInt(next));
            } catch (Exception e) {
                // CatalogWriter starts the numbers again from 1 in this case too.
                prevTables.clear();
                prevFields.clear();
                prevNextField.clear();
                nextTable = 1;
            }
        }
        for (SourceStructure.Table t : structure.all()) {
            String key = t.key();
            Integer number = prevTables.get(key);
            if (number == null) {
                number = nextTable++;
            }
            n.tableNumbers.put(key, number);
            Map<String, Integer> prev = prevFields.getOrDefault(key, Map.of());
            int nextField = prevNextField.getOrDefault(key, 1);
            Map<String, Integer> fields = new LinkedHashMap<>();
            for (SourceStructure.Column c : t.columns()) {
                Integer fn = prev.get(c.name());
                if (fn == null) {
                    fn = nextField++;
                }
                fields.put(c.name(), fn);
            }
            n.fieldNumbers.put(key, fields);
        }
        return n;
    }

    /** The table key ({@code SCHEMA.NAME}) of number {@code number}, or null. */
    String tableOfNumber(int number) {
        for (Map.Entry<String, Integer> e : tableNumbers.entrySet()) {
            if (e.getValue() == number) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The field name of number {@code number} in the table {@code key}, or null. */
    String fieldOfNumber(String key, int number) {
        for (Map.Entry<String, Integer> e : fieldNumbers.getOrDefault(key, Map.of()).entrySet()) {
            if (e.getValue() == number) {
                return e.getKey();
            }
        }
        return null;
    }

    Integer tableNumber(String key) {
        return tableNumbers.get(key);
    }

    Integer fieldNumber(String key, String field) {
        return fieldNumbers.getOrDefault(key, Map.of()).get(field);
    }

    /** Keys of every numbered table, in catalog order. */
    List<String> tables() {
        return List.copyOf(tableNumbers.keySet());
    }
}
