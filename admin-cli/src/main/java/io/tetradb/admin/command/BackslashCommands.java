package io.tetradb.admin.command;

import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.admin.ResultWriter;
import io.tetradb.admin.TextResultWriter;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.Result;
import io.tetradb.client.Row;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.UserInfo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The SQL shell's backslash commands, as psql has them: {@code \?} (help), {@code \q}
 * (quit), {@code \d} (the tables and views), {@code \d NAME} (a table's columns and
 * indexes), {@code \du} (the users and their roles, through the admin API: admin role),
 * {@code \timing [on|off]} (how long each statement takes). The tables and views come
 * from INFORMATION_SCHEMA, read with ordinary queries, so a user sees what the engine
 * lets that user see. Their answers go to the shell's {@link ResultWriter}, so they are
 * tables, JSON or CSV as the statements' results are.
 *
 * <p>A command that fails (an unknown one, a table not found, {@code \du} without the
 * admin role) prints why on stderr and counts as a failed statement: a script stops
 * there (exit code 1), the interactive shell goes on.
 *
 * <p>Runs on the command's thread.
 */
final class BackslashCommands {
    /** What a command did. */
    enum Outcome { DONE, FAILED, QUIT }

    static final String HELP = String.join(System.lineSeparator(),
            "General",
            "  \\?                 this help",
            "  \\q                 quit (also exit, quit, or Ctrl-D on an empty line)",
            "Informational",
            "  \\d                 list the tables and views",
            "  \\d NAME            describe table or view NAME: its columns, primary key and indexes",
            "  \\du                list the users and their roles (needs the admin role)",
            "Settings",
            "  \\timing [on|off]   show how long each statement takes",
            "Keys at the terminal",
            "  Enter              runs the input once it ends with ';' (until then a new line continues it)",
            "  Ctrl-C             cancels the running statement on the server; at the prompt, drops the input",
            "  Ctrl-D             quits (on an empty line)",
            "  Up, Down, Ctrl-R   walk and search the history (~/.tetra_history, --history-file)");

    private static final String LIST_TABLES = "SELECT TABLE_SCHEMA AS \"Schema\", TABLE_NAME AS \"Name\", "
            + "CASE TABLE_TYPE WHEN 'BASE TABLE' THEN 'table' ELSE LOWER(TABLE_TYPE) END AS \"Type\" "
            + "FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA' "
            + "ORDER BY TABLE_SCHEMA, TABLE_NAME";
    /** The table or view named (parameters: name, then schema when given), the current schema's first. */
    private static final String FIND_TABLE = "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES "
            + "WHERE TABLE_NAME = ? AND TABLE_SCHEMA <> 'INFORMATION_SCHEMA' %s "
            + "ORDER BY CASE WHEN TABLE_SCHEMA = CURRENT_SCHEMA THEN 0 ELSE 1 END, TABLE_SCHEMA";
    private static final String COLUMNS = "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, "
            + "NUMERIC_SCALE, IS_NULLABLE, COLUMN_DEFAULT, IS_IDENTITY, IDENTITY_GENERATION "
            + "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";
    private static final String INDEXES = "SELECT I.INDEX_NAME, I.INDEX_TYPE_NAME, "
            + "LISTAGG(C.COLUMN_NAME, ', ') WITHIN GROUP (ORDER BY C.ORDINAL_POSITION) "
            + "FROM INFORMATION_SCHEMA.INDEXES I JOIN INFORMATION_SCHEMA.INDEX_COLUMNS C "
            + "ON C.INDEX_SCHEMA = I.INDEX_SCHEMA AND C.INDEX_NAME = I.INDEX_NAME AND C.TABLE_NAME = I.TABLE_NAME "
            + "WHERE I.TABLE_SCHEMA = ? AND I.TABLE_NAME = ? GROUP BY I.INDEX_NAME, I.INDEX_TYPE_NAME "
            + "ORDER BY CASE I.INDEX_TYPE_NAME WHEN 'PRIMARY KEY' THEN 0 ELSE 1 END, I.INDEX_NAME";
    /** H2's longest character string: a column declared without a length has it. */
    private static final long UNBOUNDED_LENGTH = 1_000_000_000L;

    private final AdminMain main;
    private final TetraClient client;
    private final ResultWriter writer;
    /** Where informational lines go: stdout with the text output, stderr beside JSON and CSV. */
    private final PrintStream info;
    private boolean timing;

    BackslashCommands(AdminMain main, TetraClient client, ResultWriter writer) {
        this.main = main;
        this.client = client;
        this.writer = writer;
        this.info = writer instanceof TextResultWriter ? main.out() : main.err();
    }

    /** Runs one backslash command (the whole input, leading backslash included). */
    Outcome run(String input) {
        String s = input.strip();
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        int space = indexOfWhitespace(s);
        String name = space < 0 ? s : s.substring(0, space);
        String argument = space < 0 ? "" : s.substring(space).strip();
        switch (name) {
            case "\\?":
                main.out().println(HELP);
                main.out().flush();
                return Outcome.DONE;
            case "\\q":
                return Outcome.QUIT;
            case "\\timing":
                return timing(argument);
            case "\\d":
                return argument.isEmpty() ? listTables() : describe(argument);
            case "\\du":
                return users();
            default:
                return fail("invalid command " + name + ". Try \\? for help.");
        }
    }

    /** Whether {@code \timing} is on. */
    boolean timing() {
        return timing;
    }

    /** After a statement: {@code Time: 12.345 ms} when timing is on. */
    void printTime(long startNanos) {
        if (timing) {
            double millis = (System.nanoTime() - startNanos) / 1_000_000.0;
            info.println(String.format(Locale.ROOT, "Time: %.3f ms", millis));
            info.flush();
        }
    }

    private Outcome timing(String argument) {
        switch (argument.toLowerCase(Locale.ROOT)) {
            case "":
                timing = !timing;
                break;
            case "on":
                timing = true;
                break;
            case "off":
                timing = false;
                break;
            default:
                return fail("\\timing: expected on or off, not \"" + argument + "\".");
        }
        info.println("Timing is " + (timing ? "on." : "off."));
        info.flush();
        return Outcome.DONE;
    }

    private Outcome listTables() {
        Result r;
        try {
            r = client.execute(LIST_TABLES);
        } catch (TetraException e) {
            main.printError(e);
            return Outcome.FAILED;
        }
        List<List<Object>> rows = new ArrayList<>();
        for (Row row : r.rows()) {
            rows.add(List.of(row.getString(0), row.getString(1), row.getString(2)));
        }
        writer.table("\\d", List.of("Schema", "Name", "Type"), rows);
        return Outcome.DONE;
    }

    private Outcome describe(String argument) {
        List<String> parts = nameParts(argument);
        if (parts == null || parts.size() > 2) {
            return fail("\\d: not a table name: " + argument);
        }
        Row table;
        try {
            table = find(parts, true);
            if (table == null) {
                table = find(parts, false);
            }
        } catch (TetraException e) {
            main.printError(e);
            return Outcome.FAILED;
        }
        if (table == null) {
            return fail("Did not find any table or view named " + argument + ".");
        }
        String schema = table.getString(0);
        String name = table.getString(1);
        String kind = "BASE TABLE".equals(table.getString(2)) ? "Table" : capitalized(table.getString(2));
        List<List<Object>> columns = new ArrayList<>();
        List<List<Object>> indexes = new ArrayList<>();
        try {
            for (Row c : client.execute(COLUMNS, schema, name).rows()) {
                String dflt = "YES".equals(c.getString("IS_IDENTITY"))
                        ? "generated " + lower(c.getString("IDENTITY_GENERATION")) + " as identity"
                        : c.getString("COLUMN_DEFAULT");
                columns.add(java.util.Arrays.asList(c.getString("COLUMN_NAME"), type(c),
                        "YES".equals(c.getString("IS_NULLABLE")) ? "yes" : "no", dflt));
            }
            for (Row i : client.execute(INDEXES, schema, name).rows()) {
                indexes.add(List.of(i.getString(0), lower(i.getString(1)), i.getString(2)));
            }
        } catch (TetraException e) {
            main.printError(e);
            return Outcome.FAILED;
        }
        if (writer instanceof TextResultWriter text) {
            text.title(kind + " \"" + schema + "." + name + "\"");
        }
        writer.table("\\d " + argument, List.of("Column", "Type", "Nullable", "Default"), columns);
        if (!indexes.isEmpty()) {
            writer.table("\\d " + argument, List.of("Index", "Kind", "Columns"), indexes);
        }
        return Outcome.DONE;
    }

    /** The table or view (schema, name, type) named by {@code parts}; unquoted names in upper case when {@code upper}. */
    private Row find(List<String> parts, boolean upper) {
        List<Object> params = new ArrayList<>();
        String name = parts.get(parts.size() - 1);
        params.add(upper && !quoted(name) ? name.toUpperCase(Locale.ROOT) : unquoted(name));
        String schemaCondition = "";
        if (parts.size() == 2) {
            String schema = parts.get(0);
            params.add(upper && !quoted(schema) ? schema.toUpperCase(Locale.ROOT) : unquoted(schema));
            schemaCondition = "AND TABLE_SCHEMA = ?";
        }
        List<Row> rows = client.execute(String.format(Locale.ROOT, FIND_TABLE, schemaCondition), params.toArray()).rows();
        return rows.isEmpty() ? null : rows.get(0);
    }

    private Outcome users() {
        List<UserInfo> users;
        try {
            users = client.admin().users();
        } catch (TetraException e) {
            main.printError(e);
            if (e.code() == ErrorCode.PERMISSION_DENIED || e.code() == ErrorCode.NOT_ALLOWED_FOR_ROLE) {
                main.err().println("tetra-admin: \\du lists the users through the admin API, which needs the admin "
                        + "role; " + main.user() + " has the role " + Display.role(client.role()) + ".");
                main.err().flush();
            }
            return Outcome.FAILED;
        }
        List<List<Object>> rows = new ArrayList<>();
        for (UserInfo u : users) {
            rows.add(List.of(u.getName(), Display.role(u.getRole()), Display.time(u.getCreatedAtMillis())));
        }
        writer.table("\\du", List.of("Name", "Role", "Created"), rows);
        return Outcome.DONE;
    }

    private Outcome fail(String message) {
        main.err().println("tetra-admin: " + message);
        main.err().flush();
        return Outcome.FAILED;
    }

    /** A column's type as declared: CHARACTER VARYING(40), NUMERIC(8, 2), INTEGER. */
    private static String type(Row c) {
        String type = c.getString("DATA_TYPE");
        Long length = c.getLong("CHARACTER_MAXIMUM_LENGTH");
        if (length != null && length < UNBOUNDED_LENGTH && (type.contains("CHAR") || type.contains("BINARY"))) {
            return type + "(" + length + ")";
        }
        if ("NUMERIC".equals(type) || "DECIMAL".equals(type)) {
            Integer precision = c.getInt("NUMERIC_PRECISION");
            Integer scale = c.getInt("NUMERIC_SCALE");
            if (precision != null) {
                return type + "(" + precision + (scale != null ? ", " + scale : "") + ")";
            }
        }
        return type;
    }

    /** The dot-separated parts of a name, quotes kept; null when a quote is not closed. */
    static List<String> nameParts(String name) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean inQuotes = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"') {
                inQuotes = !inQuotes;
                part.append(c);
            } else if (c == '.' && !inQuotes) {
                parts.add(part.toString().strip());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        if (inQuotes) {
            return null;
        }
        parts.add(part.toString().strip());
        return parts.stream().anyMatch(String::isEmpty) ? null : parts;
    }

    private static boolean quoted(String part) {
        return part.length() >= 2 && part.startsWith("\"") && part.endsWith("\"");
    }

    private static String unquoted(String part) {
        return quoted(part) ? part.substring(1, part.length() - 1).replace("\"\"", "\"") : part;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    private static String capitalized(String s) {
        String l = lower(s);
        return l.isEmpty() ? l : Character.toUpperCase(l.charAt(0)) + l.substring(1);
    }
}
