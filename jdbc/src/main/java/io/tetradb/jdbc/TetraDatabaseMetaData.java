package io.tetradb.jdbc;

import io.tetradb.client.ColumnInfo;
import io.tetradb.client.Row;
import io.tetradb.client.TetraException;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.RowIdLifetime;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the server is and holds, for tools: the product and its version, what the engine
 * (H2 2.3.232 as Tetra runs it) and this driver support, and the catalog: schemas,
 * tables, columns, keys, indexes, types, routines and privileges.
 *
 * <p>The catalog methods run queries on the server's {@code INFORMATION_SCHEMA} through
 * this connection (in the user's own session, so a user sees what H2 shows that user),
 * with the caller's names and LIKE patterns as parameters, and return the result in
 * memory with exactly the columns, labels and order JDBC's Javadoc gives. In patterns
 * {@code %} and {@code _} are wildcards and {@code \} escapes them; a null pattern or
 * name does not filter; the empty schema name means the default schema (PUBLIC), as in
 * H2's own driver. H2's table type {@code BASE TABLE} is reported as {@code TABLE}, and
 * every table of {@code INFORMATION_SCHEMA} as {@code SYSTEM TABLE}.
 *
 * <p>Used by the thread that uses its connection.
 */
public final class TetraDatabaseMetaData implements DatabaseMetaData {
    private static final String IS = "INFORMATION_SCHEMA.";
    private static final String ESCAPE = " ESCAPE '\\'";

    private final TetraConnection connection;
    private Map<String, String> settings;

    TetraDatabaseMetaData(TetraConnection connection) {
        this.connection = connection;
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    /** "H2" by default (tools then use H2's dialect), "Tetra" with productName=Tetra. */
    @Override
    public String getDatabaseProductName() throws SQLException {
        return connection.url().productName();
    }

    /** H2's version when the product name is H2 (what dialects check), Tetra's otherwise. */
    @Override
    public String getDatabaseProductVersion() throws SQLException {
        return connection.url().productName().equals("H2") ? connection.client().engineVersion()
                : connection.client().serverVersion();
    }

    @Override
    public String getURL() {
        return connection.url().display();
    }

    @Override
    public String getUserName() {
        return connection.client().config().user();
    }

    @Override
    public String getDriverName() {
        return "Tetra JDBC driver";
    }

    @Override
    public String getDriverVersion() {
        return TetraDriver.MAJOR_VERSION + "." + TetraDriver.MINOR_VERSION;
    }

    @Override
    public int getDriverMajorVersion() {
        return TetraDriver.MAJOR_VERSION;
    }

    @Override
    public int getDriverMinorVersion() {
        return TetraDriver.MINOR_VERSION;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("Tetra's DatabaseMetaData is not a " + iface.getName() + ".", "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    // ---- versions ----------------------------------------------------------------------

    /** The major version of what getDatabaseProductVersion reports. */
    @Override
    public int getDatabaseMajorVersion() throws SQLException {
        return versionPart(getDatabaseProductVersion(), 0);
    }

    /** The minor version of what getDatabaseProductVersion reports. */
    @Override
    public int getDatabaseMinorVersion() throws SQLException {
        return versionPart(getDatabaseProductVersion(), 1);
    }

    /** The {@code n}th dot-separated number of a version such as "2.3.232 (2024-08-11)", 0 if none. */
    static int versionPart(String version, int n) {
        if (version == null) {
            return 0;
        }
        String[] parts = version.trim().split("[^0-9]+");
        int i = parts.length > 0 && parts[0].isEmpty() ? n + 1 : n;
        if (i >= parts.length || parts[i].isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(parts[i]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public int getJDBCMajorVersion() {
        return 4;
    }

    @Override
    public int getJDBCMinorVersion() {
        return 2;
    }

    // ---- identifiers, names and strings ------------------------------------------------

    /** The engine's settings (INFORMATION_SCHEMA.SETTINGS), read once. */
    private Map<String, String> settings() throws SQLException {
        if (settings == null) {
            Map<String, String> m = new HashMap<>();
            for (Object[] r : select("SELECT SETTING_NAME, SETTING_VALUE FROM " + IS + "SETTINGS", List.of())) {
                m.put(String.valueOf(r[0]), r[1] == null ? null : String.valueOf(r[1]));
            }
            settings = m;
        }
        return settings;
    }

    private boolean setting(String name, boolean otherwise) throws SQLException {
        String v = settings().get(name);
        return v == null ? otherwise : Boolean.parseBoolean(v);
    }

    private boolean toUpper() throws SQLException {
        return setting("DATABASE_TO_UPPER", true);
    }

    private boolean toLower() throws SQLException {
        return setting("DATABASE_TO_LOWER", false);
    }

    private boolean caseInsensitive() throws SQLException {
        return setting("CASE_INSENSITIVE_IDENTIFIERS", false);
    }

    private String nullOrdering() throws SQLException {
        String v = settings().get("DEFAULT_NULL_ORDERING");
        return v == null ? "LOW" : v.toUpperCase(Locale.ROOT);
    }

    @Override
    public boolean supportsMixedCaseIdentifiers() throws SQLException {
        return !toUpper() && !toLower() && !caseInsensitive();
    }

    @Override
    public boolean storesUpperCaseIdentifiers() throws SQLException {
        return toUpper();
    }

    @Override
    public boolean storesLowerCaseIdentifiers() throws SQLException {
        return toLower();
    }

    @Override
    public boolean storesMixedCaseIdentifiers() throws SQLException {
        return !toUpper() && !toLower() && caseInsensitive();
    }

    @Override
    public boolean supportsMixedCaseQuotedIdentifiers() throws SQLException {
        return !caseInsensitive();
    }

    @Override
    public boolean storesUpperCaseQuotedIdentifiers() {
        return false;
    }

    @Override
    public boolean storesLowerCaseQuotedIdentifiers() {
        return false;
    }

    @Override
    public boolean storesMixedCaseQuotedIdentifiers() throws SQLException {
        return caseInsensitive();
    }

    @Override
    public String getIdentifierQuoteString() {
        return "\"";
    }

    @Override
    public String getSearchStringEscape() {
        return "\\";
    }

    @Override
    public String getExtraNameCharacters() {
        return "";
    }

    /** The words H2 reserves beyond SQL:2003's. */
    @Override
    public String getSQLKeywords() {
        return "CURRENT_CATALOG,CURRENT_SCHEMA,GROUPS,IF,ILIKE,KEY,LIMIT,MINUS,OFFSET,QUALIFY,REGEXP,ROWNUM,TOP,"
                + "_ROWID_";
    }

    @Override
    public String getNumericFunctions() {
        return "ABS,ACOS,ASIN,ATAN,COS,COSH,COT,SIN,SINH,TAN,TANH,ATAN2,BITAND,BITOR,BITXOR,BITNOT,BITNAND,BITNOR,"
                + "BITXNOR,BITGET,BITCOUNT,LSHIFT,RSHIFT,ULSHIFT,URSHIFT,ROTATELEFT,ROTATERIGHT,MOD,CEIL,DEGREES,EXP,"
                + "FLOOR,LN,LOG,LOG10,ORA_HASH,RADIANS,SQRT,PI,POWER,RAND,RANDOM_UUID,ROUND,SECURE_RAND,SIGN,ENCRYPT,"
                + "DECRYPT,HASH,TRUNC,COMPRESS,EXPAND,ZERO";
    }

    @Override
    public String getStringFunctions() {
        return "ASCII,BIT_LENGTH,CHAR_LENGTH,OCTET_LENGTH,CHAR,CONCAT,CONCAT_WS,DIFFERENCE,HEXTORAW,RAWTOHEX,INSERT,"
                + "LOWER,UPPER,LEFT,RIGHT,LOCATE,LPAD,RPAD,LTRIM,RTRIM,BTRIM,TRIM,REGEXP_REPLACE,REGEXP_LIKE,"
                + "REGEXP_SUBSTR,REPEAT,REPLACE,SOUNDEX,SPACE,STRINGDECODE,STRINGENCODE,STRINGTOUTF8,SUBSTRING,"
                + "UTF8TOSTRING,QUOTE_IDENT,XMLATTR,XMLNODE,XMLCOMMENT,XMLCDATA,XMLSTARTDOC,XMLTEXT,TO_CHAR,TRANSLATE";
    }

    /** H2's system functions without those H2 refuses to non-admin accounts (files, other sessions, memory). */
    @Override
    public String getSystemFunctions() {
        return "ARRAY_GET,CARDINALITY,ARRAY_CONTAINS,ARRAY_CAT,ARRAY_APPEND,ARRAY_MAX_CARDINALITY,TRIM_ARRAY,"
                + "ARRAY_SLICE,AUTOCOMMIT,CASEWHEN,COALESCE,CONVERT,CURRVAL,CURRENT_SCHEMA,CURRENT_CATALOG,"
                + "DATA_TYPE_SQL,DB_OBJECT_SIZE,DB_OBJECT_TOTAL_SIZE,DB_OBJECT_APPROXIMATE_SIZE,"
                + "DB_OBJECT_APPROXIMATE_TOTAL_SIZE,DECODE,DISK_SPACE_USED,SIGNAL,ESTIMATED_ENVELOPE,GREATEST,LEAST,"
                + "LOCK_MODE,LOCK_TIMEOUT,NEXTVAL,NULLIF,NVL2,READONLY,ROWNUM,SESSION_ID,SET,TRANSACTION_ID,"
                + "TRUNCATE_VALUE,CURRENT_PATH,CURRENT_ROLE,CURRENT_USER,H2VERSION";
    }

    @Override
    public String getTimeDateFunctions() {
        return "CURRENT_DATE,CURRENT_TIME,CURRENT_TIMESTAMP,LOCALTIME,LOCALTIMESTAMP,DATEADD,DATEDIFF,DATE_TRUNC,"
                + "LAST_DAY,DAYNAME,DAY_OF_MONTH,DAY_OF_WEEK,ISO_DAY_OF_WEEK,DAY_OF_YEAR,EXTRACT,FORMATDATETIME,HOUR,"
                + "MINUTE,MONTH,MONTHNAME,PARSEDATETIME,QUARTER,SECOND,WEEK,ISO_WEEK,YEAR,ISO_YEAR";
    }

    @Override
    public String getSchemaTerm() {
        return "schema";
    }

    @Override
    public String getProcedureTerm() {
        return "procedure";
    }

    @Override
    public String getCatalogTerm() {
        return "catalog";
    }

    @Override
    public boolean isCatalogAtStart() {
        return true;
    }

    @Override
    public String getCatalogSeparator() {
        return ".";
    }

    // ---- capabilities ------------------------------------------------------------------

    @Override
    public boolean allProceduresAreCallable() {
        return true;
    }

    @Override
    public boolean allTablesAreSelectable() {
        return true;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return connection.isReadOnly();
    }

    @Override
    public boolean nullsAreSortedHigh() throws SQLException {
        return nullOrdering().equals("HIGH");
    }

    @Override
    public boolean nullsAreSortedLow() throws SQLException {
        return nullOrdering().equals("LOW");
    }

    @Override
    public boolean nullsAreSortedAtStart() throws SQLException {
        return nullOrdering().equals("FIRST");
    }

    @Override
    public boolean nullsAreSortedAtEnd() throws SQLException {
        return nullOrdering().equals("LAST");
    }

    /** The server's database lives in files (one data file), on the server's machine. */
    @Override
    public boolean usesLocalFiles() {
        return true;
    }

    @Override
    public boolean usesLocalFilePerTable() {
        return false;
    }

    @Override
    public boolean supportsAlterTableWithAddColumn() {
        return true;
    }

    @Override
    public boolean supportsAlterTableWithDropColumn() {
        return true;
    }

    @Override
    public boolean supportsColumnAliasing() {
        return true;
    }

    @Override
    public boolean nullPlusNonNullIsNull() {
        return true;
    }

    @Override
    public boolean supportsConvert() {
        return true;
    }

    @Override
    public boolean supportsConvert(int fromType, int toType) {
        return true;
    }

    @Override
    public boolean supportsTableCorrelationNames() {
        return true;
    }

    @Override
    public boolean supportsDifferentTableCorrelationNames() {
        return false;
    }

    @Override
    public boolean supportsExpressionsInOrderBy() {
        return true;
    }

    @Override
    public boolean supportsOrderByUnrelated() {
        return true;
    }

    @Override
    public boolean supportsGroupBy() {
        return true;
    }

    @Override
    public boolean supportsGroupByUnrelated() {
        return true;
    }

    @Override
    public boolean supportsGroupByBeyondSelect() {
        return true;
    }

    @Override
    public boolean supportsLikeEscapeClause() {
        return true;
    }

    /** One statement gives at most one result. */
    @Override
    public boolean supportsMultipleResultSets() {
        return false;
    }

    @Override
    public boolean supportsMultipleTransactions() {
        return true;
    }

    @Override
    public boolean supportsNonNullableColumns() {
        return true;
    }

    @Override
    public boolean supportsMinimumSQLGrammar() {
        return true;
    }

    @Override
    public boolean supportsCoreSQLGrammar() {
        return true;
    }

    @Override
    public boolean supportsExtendedSQLGrammar() {
        return false;
    }

    @Override
    public boolean supportsANSI92EntryLevelSQL() {
        return true;
    }

    @Override
    public boolean supportsANSI92IntermediateSQL() {
        return false;
    }

    @Override
    public boolean supportsANSI92FullSQL() {
        return false;
    }

    @Override
    public boolean supportsIntegrityEnhancementFacility() {
        return true;
    }

    @Override
    public boolean supportsOuterJoins() {
        return true;
    }

    @Override
    public boolean supportsFullOuterJoins() {
        return false;
    }

    @Override
    public boolean supportsLimitedOuterJoins() {
        return true;
    }

    @Override
    public boolean supportsSchemasInDataManipulation() {
        return true;
    }

    @Override
    public boolean supportsSchemasInProcedureCalls() {
        return true;
    }

    @Override
    public boolean supportsSchemasInTableDefinitions() {
        return true;
    }

    @Override
    public boolean supportsSchemasInIndexDefinitions() {
        return true;
    }

    @Override
    public boolean supportsSchemasInPrivilegeDefinitions() {
        return true;
    }

    @Override
    public boolean supportsCatalogsInDataManipulation() {
        return true;
    }

    @Override
    public boolean supportsCatalogsInProcedureCalls() {
        return false;
    }

    @Override
    public boolean supportsCatalogsInTableDefinitions() {
        return true;
    }

    @Override
    public boolean supportsCatalogsInIndexDefinitions() {
        return true;
    }

    @Override
    public boolean supportsCatalogsInPrivilegeDefinitions() {
        return true;
    }

    @Override
    public boolean supportsPositionedDelete() {
        return false;
    }

    @Override
    public boolean supportsPositionedUpdate() {
        return false;
    }

    @Override
    public boolean supportsSelectForUpdate() {
        return true;
    }

    /** There is no CallableStatement; CALL runs through a (Prepared)Statement. */
    @Override
    public boolean supportsStoredProcedures() {
        return false;
    }

    @Override
    public boolean supportsStoredFunctionsUsingCallSyntax() {
        return false;
    }

    @Override
    public boolean supportsSubqueriesInComparisons() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInExists() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInIns() {
        return true;
    }

    @Override
    public boolean supportsSubqueriesInQuantifieds() {
        return true;
    }

    @Override
    public boolean supportsCorrelatedSubqueries() {
        return true;
    }

    @Override
    public boolean supportsUnion() {
        return true;
    }

    @Override
    public boolean supportsUnionAll() {
        return true;
    }

    /** A result being read stays open when its transaction commits (DatabaseMetaDataIT shows it). */
    @Override
    public boolean supportsOpenCursorsAcrossCommit() {
        return true;
    }

    @Override
    public boolean supportsOpenCursorsAcrossRollback() {
        return false;
    }

    @Override
    public boolean supportsOpenStatementsAcrossCommit() {
        return true;
    }

    @Override
    public boolean supportsOpenStatementsAcrossRollback() {
        return true;
    }

    @Override
    public boolean supportsTransactions() {
        return true;
    }

    @Override
    public int getDefaultTransactionIsolation() {
        return Connection.TRANSACTION_READ_COMMITTED;
    }

    @Override
    public boolean supportsTransactionIsolationLevel(int level) {
        return level == Connection.TRANSACTION_READ_UNCOMMITTED || level == Connection.TRANSACTION_READ_COMMITTED
                || level == Connection.TRANSACTION_REPEATABLE_READ || level == Connection.TRANSACTION_SERIALIZABLE;
    }

    /** H2 commits the open transaction before a DDL statement. */
    @Override
    public boolean supportsDataDefinitionAndDataManipulationTransactions() {
        return false;
    }

    @Override
    public boolean supportsDataManipulationTransactionsOnly() {
        return true;
    }

    @Override
    public boolean dataDefinitionCausesTransactionCommit() {
        return true;
    }

    @Override
    public boolean dataDefinitionIgnoredInTransactions() {
        return false;
    }

    /** Results are forward-only. */
    @Override
    public boolean supportsResultSetType(int type) {
        return type == ResultSet.TYPE_FORWARD_ONLY;
    }

    /** Results are forward-only and read-only. */
    @Override
    public boolean supportsResultSetConcurrency(int type, int concurrency) {
        return type == ResultSet.TYPE_FORWARD_ONLY && concurrency == ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public boolean ownUpdatesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean ownDeletesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean ownInsertsAreVisible(int type) {
        return false;
    }

    @Override
    public boolean othersUpdatesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean othersDeletesAreVisible(int type) {
        return false;
    }

    @Override
    public boolean othersInsertsAreVisible(int type) {
        return false;
    }

    @Override
    public boolean updatesAreDetected(int type) {
        return false;
    }

    @Override
    public boolean deletesAreDetected(int type) {
        return false;
    }

    @Override
    public boolean insertsAreDetected(int type) {
        return false;
    }

    @Override
    public boolean supportsBatchUpdates() {
        return true;
    }

    @Override
    public boolean supportsSavepoints() {
        return true;
    }

    @Override
    public boolean supportsNamedParameters() {
        return false;
    }

    @Override
    public boolean supportsMultipleOpenResults() {
        return false;
    }

    @Override
    public boolean supportsGetGeneratedKeys() {
        return true;
    }

    @Override
    public boolean generatedKeyAlwaysReturned() {
        return true;
    }

    @Override
    public boolean supportsResultSetHoldability(int holdability) {
        return holdability == ResultSet.HOLD_CURSORS_OVER_COMMIT || holdability == ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    /** What a new connection reports as its holdability. */
    @Override
    public int getResultSetHoldability() {
        return ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public int getSQLStateType() {
        return DatabaseMetaData.sqlStateSQL;
    }

    /** A Blob or Clob read from a result is the driver's copy; changing it does not change the database. */
    @Override
    public boolean locatorsUpdateCopy() {
        return true;
    }

    @Override
    public boolean supportsStatementPooling() {
        return false;
    }

    @Override
    public RowIdLifetime getRowIdLifetime() {
        return RowIdLifetime.ROWID_UNSUPPORTED;
    }

    @Override
    public boolean autoCommitFailureClosesAllResultSets() {
        return false;
    }

    @Override
    public boolean doesMaxRowSizeIncludeBlobs() {
        return false;
    }

    @Override
    public boolean supportsRefCursors() {
        return false;
    }

    @Override
    public boolean supportsSharding() {
        return false;
    }

    // ---- limits: 0 is "no limit or not known", as JDBC says ----------------------------

    @Override
    public int getMaxBinaryLiteralLength() {
        return 0;
    }

    @Override
    public int getMaxCharLiteralLength() {
        return 0;
    }

    @Override
    public int getMaxColumnNameLength() {
        return 0;
    }

    @Override
    public int getMaxColumnsInGroupBy() {
        return 0;
    }

    @Override
    public int getMaxColumnsInIndex() {
        return 0;
    }

    @Override
    public int getMaxColumnsInOrderBy() {
        return 0;
    }

    @Override
    public int getMaxColumnsInSelect() {
        return 0;
    }

    @Override
    public int getMaxColumnsInTable() {
        return 0;
    }

    @Override
    public int getMaxConnections() {
        return 0;
    }

    @Override
    public int getMaxCursorNameLength() {
        return 0;
    }

    @Override
    public int getMaxIndexLength() {
        return 0;
    }

    @Override
    public int getMaxSchemaNameLength() {
        return 0;
    }

    @Override
    public int getMaxProcedureNameLength() {
        return 0;
    }

    @Override
    public int getMaxCatalogNameLength() {
        return 0;
    }

    @Override
    public int getMaxRowSize() {
        return 0;
    }

    @Override
    public int getMaxStatementLength() {
        return 0;
    }

    @Override
    public int getMaxStatements() {
        return 0;
    }

    @Override
    public int getMaxTableNameLength() {
        return 0;
    }

    @Override
    public int getMaxTablesInSelect() {
        return 0;
    }

    @Override
    public int getMaxUserNameLength() {
        return 0;
    }

    @Override
    public long getMaxLogicalLobSize() {
        return 0;
    }

    // ---- catalog: schemas and tables ---------------------------------------------------

    @Override
    public ResultSet getCatalogs() throws SQLException {
        Result r = new Result(str("TABLE_CAT"));
        for (Object[] row : select("SELECT CATALOG_NAME FROM " + IS + "INFORMATION_SCHEMA_CATALOG_NAME", List.of())) {
            r.add(row[0]);
        }
        return r.resultSet();
    }

    @Override
    public ResultSet getSchemas() throws SQLException {
        return getSchemas(null, null);
    }

    @Override
    public ResultSet getSchemas(String catalog, String schemaPattern) throws SQLException {
        Result r = new Result(str("TABLE_SCHEM"), str("TABLE_CATALOG"));
        Where w = new Where().catalog("CATALOG_NAME", catalog).schemaPattern("SCHEMA_NAME", schemaPattern);
        for (Object[] row : select("SELECT SCHEMA_NAME, CATALOG_NAME FROM " + IS + "SCHEMATA" + w
                + " ORDER BY CATALOG_NAME, SCHEMA_NAME", w.params)) {
            r.add(row[0], row[1]);
        }
        return r.resultSet();
    }

    /** The table types getTables reports, in order. */
    private static final List<String> TABLE_TYPES = List.of("GLOBAL TEMPORARY", "LOCAL TEMPORARY", "SYNONYM",
            "SYSTEM TABLE", "TABLE", "VIEW");

    @Override
    public ResultSet getTableTypes() {
        Result r = new Result(str("TABLE_TYPE"));
        for (String t : TABLE_TYPES) {
            r.add(t);
        }
        return r.resultSet();
    }

    /** JDBC's table type of a table of H2's INFORMATION_SCHEMA.TABLES. */
    static String tableType(String schema, String h2Type) {
        if ("INFORMATION_SCHEMA".equals(schema)) {
            return "SYSTEM TABLE";
        }
        return "BASE TABLE".equals(h2Type) ? "TABLE" : h2Type;
    }

    @Override
    public ResultSet getTables(String catalog, String schemaPattern, String tableNamePattern, String[] types)
            throws SQLException {
        Result r = new Result(str("TABLE_CAT"), str("TABLE_SCHEM"), str("TABLE_NAME"), str("TABLE_TYPE"),
                str("REMARKS"), str("TYPE_CAT"), str("TYPE_SCHEM"), str("TYPE_NAME"), str("SELF_REFERENCING_COL_NAME"),
                str("REF_GENERATION"));
        Set<String> wanted = null;
        if (types != null) {
            wanted = new HashSet<>();
            for (String t : types) {
                if (t != null) {
                    String u = t.toUpperCase(Locale.ROOT);
                    wanted.add(u.equals("BASE TABLE") ? "TABLE" : u);
                }
            }
        }
        Where tw = new Where().catalog("TABLE_CATALOG", catalog).schemaPattern("TABLE_SCHEMA", schemaPattern)
                .pattern("TABLE_NAME", tableNamePattern);
        Where sw = new Where().catalog("SYNONYM_CATALOG", catalog).schemaPattern("SYNONYM_SCHEMA", schemaPattern)
                .pattern("SYNONYM_NAME", tableNamePattern);
        List<Object> params = new ArrayList<>(tw.params);
        params.addAll(sw.params);
        List<Object[]> rows = new ArrayList<>();
        for (Object[] row : select("SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, REMARKS FROM " + IS
                + "TABLES" + tw + " UNION ALL SELECT SYNONYM_CATALOG, SYNONYM_SCHEMA, SYNONYM_NAME, 'SYNONYM', REMARKS "
                + "FROM " + IS + "SYNONYMS" + sw, params)) {
            String type = tableType((String) row[1], (String) row[3]);
            if (wanted == null || wanted.contains(type)) {
                rows.add(new Object[]{row[0], row[1], row[2], type, row[4], null, null, null, null, null});
            }
        }
        rows.sort(by(3, 0, 1, 2));
        r.rows.addAll(rows);
        return r.resultSet();
    }

    // ---- catalog: columns --------------------------------------------------------------

    @Override
    public ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        Result r = new Result(str("TABLE_CAT"), str("TABLE_SCHEM"), str("TABLE_NAME"), str("COLUMN_NAME"),
                integer("DATA_TYPE"), str("TYPE_NAME"), integer("COLUMN_SIZE"), integer("BUFFER_LENGTH"),
                integer("DECIMAL_DIGITS"), integer("NUM_PREC_RADIX"), integer("NULLABLE"), str("REMARKS"),
                str("COLUMN_DEF"), integer("SQL_DATA_TYPE"), integer("SQL_DATETIME_SUB"), integer("CHAR_OCTET_LENGTH"),
                integer("ORDINAL_POSITION"), str("IS_NULLABLE"), str("SCOPE_CATALOG"), str("SCOPE_SCHEMA"),
                str("SCOPE_TABLE"), smallint("SOURCE_DATA_TYPE"), str("IS_AUTOINCREMENT"), str("IS_GENERATEDCOLUMN"));
        Where w = new Where().catalog("C.TABLE_CATALOG", catalog).schemaPattern("C.TABLE_SCHEMA", schemaPattern)
                .pattern("C.TABLE_NAME", tableNamePattern).pattern("C.COLUMN_NAME", columnNamePattern);
        w.and("C.IS_VISIBLE");
        // a synonym has the columns of its table
        Where sw = new Where().catalog("S.SYNONYM_CATALOG", catalog).schemaPattern("S.SYNONYM_SCHEMA", schemaPattern)
                .pattern("S.SYNONYM_NAME", tableNamePattern).pattern("C.COLUMN_NAME", columnNamePattern);
        sw.and("C.IS_VISIBLE");
        String rest = ", C.IS_NULLABLE, C.REMARKS, C.COLUMN_DEFAULT, C.ORDINAL_POSITION, C.IS_IDENTITY, C.IS_GENERATED";
        List<Object> params = new ArrayList<>(w.params);
        params.addAll(sw.params);
        List<Object[]> rows = select("SELECT C.TABLE_CATALOG, C.TABLE_SCHEMA, C.TABLE_NAME, C.COLUMN_NAME, "
                + typeColumns("C.", true) + rest + " FROM " + IS + "COLUMNS C" + w + " UNION ALL SELECT "
                + "S.SYNONYM_CATALOG, S.SYNONYM_SCHEMA, S.SYNONYM_NAME, C.COLUMN_NAME, " + typeColumns("C.", true)
                + rest
                + " FROM " + IS + "SYNONYMS S JOIN " + IS + "COLUMNS C ON C.TABLE_CATALOG = S.SYNONYM_CATALOG "
                + "AND C.TABLE_SCHEMA = S.SYNONYM_FOR_SCHEMA AND C.TABLE_NAME = S.SYNONYM_FOR" + sw, params);
        int ordinalAt = 4 + SqlType.COUNT + 3;
        for (Object[] row : rows) {
            row[ordinalAt] = toInt(row[ordinalAt]);
        }
        rows.sort(by(0, 1, 2, ordinalAt));
        for (Object[] c : rows) {
            SqlType t = SqlType.of(c, 4);
            boolean nullable = "YES".equals(c[4 + SqlType.COUNT]);
            boolean generated = "ALWAYS".equals(c[4 + SqlType.COUNT + 5]);
            r.add(c[0], c[1], c[2], c[3], t.jdbcType(), t.typeName(), t.columnSize(), null, t.decimalDigits(),
                    t.radix(), nullable ? columnNullable : columnNoNulls, c[4 + SqlType.COUNT + 1],
                    generated ? null : c[4 + SqlType.COUNT + 2], null, null, t.charOctetLength(),
                    toInt(c[4 + SqlType.COUNT + 3]), nullable ? "YES" : "NO", null, null, null, null,
                    "YES".equals(c[4 + SqlType.COUNT + 4]) ? "YES" : "NO", generated ? "YES" : "NO");
        }
        return r.resultSet();
    }

    /**
     * The INFORMATION_SCHEMA columns {@link SqlType#of} reads, in that order, of the table
     * or alias {@code a} ("C." or ""); with {@code columns} true, the type's full SQL of a
     * table's column (arrays, enums, rows), otherwise NULL.
     */
    static String typeColumns(String a, boolean columns) {
        return a + "DATA_TYPE, " + a + "DECLARED_DATA_TYPE, " + a + "CHARACTER_MAXIMUM_LENGTH, " + a
                + "CHARACTER_OCTET_LENGTH, " + a + "NUMERIC_PRECISION, " + a + "NUMERIC_PRECISION_RADIX, " + a
                + "NUMERIC_SCALE, " + a + "DATETIME_PRECISION, " + a + "INTERVAL_TYPE, " + a + "INTERVAL_PRECISION, "
                + a + "MAXIMUM_CARDINALITY, " + (columns ? "CASE WHEN " + a + "DATA_TYPE IN ('ARRAY', 'ENUM', 'ROW', "
                + "'GEOMETRY') THEN DATA_TYPE_SQL(" + a + "TABLE_SCHEMA, " + a + "TABLE_NAME, 'TABLE', " + a
                + "DTD_IDENTIFIER) END" : "NULL");
    }

    /**
     * A column's or parameter's type as H2's INFORMATION_SCHEMA describes it, and what JDBC
     * reports of it.
     */
    record SqlType(String dataType, String declared, Long charLength, Long octetLength, Integer precision,
                   Integer precisionRadix, Integer scale, Integer datetimePrecision, String intervalType,
                   Integer intervalPrecision, Integer maxCardinality, String fullSql) {
        static final int COUNT = 12;

        static SqlType of(Object[] row, int at) {
            return new SqlType((String) row[at], (String) row[at + 1], toLong(row[at + 2]), toLong(row[at + 3]),
                    toInt(row[at + 4]), toInt(row[at + 5]), toInt(row[at + 6]), toInt(row[at + 7]),
                    (String) row[at + 8], toInt(row[at + 9]), toInt(row[at + 10]), (String) row[at + 11]);
        }

        int jdbcType() {
            return TetraDatabaseMetaData.jdbcType(dataType, declared);
        }

        /** The name H2's own driver reports: the type's name, with its elements or values where it has them. */
        String typeName() {
            if (dataType == null) {
                return null;
            }
            switch (dataType) {
                case "ARRAY":
                    // "INTEGER ARRAY[10]" → "INTEGER ARRAY"
                    return fullSql == null ? dataType : fullSql.replaceFirst("\\[\\d+]$", "");
                case "ENUM":
                case "ROW":
                    return fullSql == null ? dataType : fullSql;
                case "INTERVAL":
                    return intervalType == null ? dataType : "INTERVAL " + intervalType;
                case "NUMERIC":
                    return "DECIMAL".equals(declared) ? "DECIMAL" : dataType;
                default:
                    return dataType;
            }
        }

        /** Characters or bytes of strings; digits (bits where the radix is 2) of numbers; characters of datetimes. */
        Integer columnSize() {
            if (dataType == null) {
                return null;
            }
            int frac = datetimePrecision == null || datetimePrecision == 0 ? 0 : datetimePrecision + 1;
            switch (dataType) {
                case "DATE":
                    return 10;
                case "TIME":
                    return 8 + frac;
                case "TIME WITH TIME ZONE":
                    return 14 + frac;
                case "TIMESTAMP":
                    return 19 + frac;
                case "TIMESTAMP WITH TIME ZONE":
                    return 25 + frac;
                case "BOOLEAN":
                    return 1;
                case "UUID":
                    return 16;
                case "ARRAY":
                    return maxCardinality;
                case "INTERVAL":
                    return intervalPrecision;
                default:
                    if (charLength != null) {
                        return clamp(charLength);
                    }
                    if (precision != null) {
                        return precision;
                    }
                    return Integer.MAX_VALUE;
            }
        }

        /** The scale of exact numbers, fractional seconds of datetimes and intervals; null where it does not apply. */
        Integer decimalDigits() {
            if (dataType == null) {
                return null;
            }
            switch (dataType) {
                case "TINYINT":
                case "SMALLINT":
                case "INTEGER":
                case "BIGINT":
                case "NUMERIC":
                    return scale == null ? 0 : scale;
                case "DATE":
                    return 0;
                case "TIME":
                case "TIME WITH TIME ZONE":
                case "TIMESTAMP":
                case "TIMESTAMP WITH TIME ZONE":
                case "INTERVAL":
                    return datetimePrecision == null ? 0 : datetimePrecision;
                default:
                    return null;
            }
        }

        Integer radix() {
            return precisionRadix;
        }

        /** The most bytes of a character or binary string, null for other types. */
        Integer charOctetLength() {
            return octetLength == null ? null : clamp(octetLength);
        }
    }

    /**
     * The {@link Types} number of a type named as H2's INFORMATION_SCHEMA names it
     * (DATA_TYPE, and DECLARED_DATA_TYPE for the numbers declared as DECIMAL or FLOAT),
     * the same as H2's own driver reports.
     */
    static int jdbcType(String dataType, String declared) {
        if (dataType == null) {
            return Types.NULL;
        }
        switch (dataType) {
            case "CHARACTER":
                return Types.CHAR;
            case "CHARACTER VARYING":
            case "VARCHAR_IGNORECASE":
                return Types.VARCHAR;
            case "CHARACTER LARGE OBJECT":
                return Types.CLOB;
            case "BINARY":
            case "UUID":
                return Types.BINARY;
            case "BINARY VARYING":
                return Types.VARBINARY;
            case "BINARY LARGE OBJECT":
                return Types.BLOB;
            case "BOOLEAN":
                return Types.BOOLEAN;
            case "TINYINT":
                return Types.TINYINT;
            case "SMALLINT":
                return Types.SMALLINT;
            case "INTEGER":
                return Types.INTEGER;
            case "BIGINT":
                return Types.BIGINT;
            case "NUMERIC":
                return "DECIMAL".equals(declared) ? Types.DECIMAL : Types.NUMERIC;
            case "DECFLOAT":
                return Types.NUMERIC;
            case "REAL":
                return "FLOAT".equals(declared) ? Types.FLOAT : Types.REAL;
            case "DOUBLE PRECISION":
                return "FLOAT".equals(declared) ? Types.FLOAT : Types.DOUBLE;
            case "DATE":
                return Types.DATE;
            case "TIME":
                return Types.TIME;
            case "TIME WITH TIME ZONE":
                return Types.TIME_WITH_TIMEZONE;
            case "TIMESTAMP":
                return Types.TIMESTAMP;
            case "TIMESTAMP WITH TIME ZONE":
                return Types.TIMESTAMP_WITH_TIMEZONE;
            case "JAVA_OBJECT":
                return Types.JAVA_OBJECT;
            case "ARRAY":
                return Types.ARRAY;
            case "NULL":
                return Types.NULL;
            default:
                // INTERVAL, ENUM, GEOMETRY, JSON, ROW
                return Types.OTHER;
        }
    }

    @Override
    public ResultSet getPseudoColumns(String catalog, String schemaPattern, String tableNamePattern,
                                      String columnNamePattern) {
        return new Result(str("TABLE_CAT"), str("TABLE_SCHEM"), str("TABLE_NAME"), str("COLUMN_NAME"),
                integer("DATA_TYPE"), integer("COLUMN_SIZE"), integer("DECIMAL_DIGITS"), integer("NUM_PREC_RADIX"),
                str("COLUMN_USAGE"), str("REMARKS"), integer("CHAR_OCTET_LENGTH"), str("IS_NULLABLE")).resultSet();
    }

    @Override
    public ResultSet getVersionColumns(String catalog, String schema, String table) {
        return new Result(smallint("SCOPE"), str("COLUMN_NAME"), integer("DATA_TYPE"), str("TYPE_NAME"),
                integer("COLUMN_SIZE"), integer("BUFFER_LENGTH"), smallint("DECIMAL_DIGITS"),
                smallint("PSEUDO_COLUMN")).resultSet();
    }

    /** The primary key's columns: the best identifier of a row, valid for the session. */
    @Override
    public ResultSet getBestRowIdentifier(String catalog, String schema, String table, int scope, boolean nullable)
            throws SQLException {
        Result r = new Result(smallint("SCOPE"), str("COLUMN_NAME"), integer("DATA_TYPE"), str("TYPE_NAME"),
                integer("COLUMN_SIZE"), integer("BUFFER_LENGTH"), smallint("DECIMAL_DIGITS"),
                smallint("PSEUDO_COLUMN"));
        Where w = new Where().catalog("K.TABLE_CATALOG", catalog).schema("K.TABLE_SCHEMA", schema)
                .name("K.TABLE_NAME", table);
        w.and("T.CONSTRAINT_TYPE = 'PRIMARY KEY'");
        String sql = "SELECT K.COLUMN_NAME, " + typeColumns("C.", true) + " FROM " + IS + "TABLE_CONSTRAINTS T "
                + "JOIN " + IS + "KEY_COLUMN_USAGE K "
                + "ON K.CONSTRAINT_CATALOG = T.CONSTRAINT_CATALOG AND K.CONSTRAINT_SCHEMA = T.CONSTRAINT_SCHEMA "
                + "AND K.CONSTRAINT_NAME = T.CONSTRAINT_NAME JOIN " + IS + "COLUMNS C "
                + "ON C.TABLE_CATALOG = K.TABLE_CATALOG AND C.TABLE_SCHEMA = K.TABLE_SCHEMA "
                + "AND C.TABLE_NAME = K.TABLE_NAME AND C.COLUMN_NAME = K.COLUMN_NAME"
                + w + " ORDER BY K.ORDINAL_POSITION";
        for (Object[] c : select(sql, w.params)) {
            SqlType t = SqlType.of(c, 1);
            Integer digits = t.decimalDigits();
            r.add((short) bestRowSession, c[0], t.jdbcType(), t.typeName(), t.columnSize(), null,
                    digits == null ? null : (short) (int) digits, (short) bestRowNotPseudo);
        }
        return r.resultSet();
    }

    // ---- catalog: keys and indexes -----------------------------------------------------

    @Override
    public ResultSet getPrimaryKeys(String catalog, String schema, String table) throws SQLException {
        Result r = new Result(str("TABLE_CAT"), str("TABLE_SCHEM"), str("TABLE_NAME"), str("COLUMN_NAME"),
                smallint("KEY_SEQ"), str("PK_NAME"));
        Where w = new Where().catalog("K.TABLE_CATALOG", catalog).schema("K.TABLE_SCHEMA", schema)
                .name("K.TABLE_NAME", table);
        w.and("T.CONSTRAINT_TYPE = 'PRIMARY KEY'");
        for (Object[] c : select("SELECT K.TABLE_CATALOG, K.TABLE_SCHEMA, K.TABLE_NAME, K.COLUMN_NAME, "
                + "K.ORDINAL_POSITION, K.CONSTRAINT_NAME FROM " + IS + "TABLE_CONSTRAINTS T JOIN " + IS
                + "KEY_COLUMN_USAGE K ON K.CONSTRAINT_CATALOG = T.CONSTRAINT_CATALOG "
                + "AND K.CONSTRAINT_SCHEMA = T.CONSTRAINT_SCHEMA AND K.CONSTRAINT_NAME = T.CONSTRAINT_NAME" + w
                + " ORDER BY K.COLUMN_NAME", w.params)) {
            r.add(c[0], c[1], c[2], c[3], toShort(c[4]), c[5]);
        }
        return r.resultSet();
    }

    @Override
    public ResultSet getImportedKeys(String catalog, String schema, String table) throws SQLException {
        Where w = new Where().catalog("F.TABLE_CATALOG", catalog).schema("F.TABLE_SCHEMA", schema)
                .name("F.TABLE_NAME", table);
        return keys(w, by(0, 1, 2, 8));
    }

    @Override
    public ResultSet getExportedKeys(String catalog, String schema, String table) throws SQLException {
        Where w = new Where().catalog("P.TABLE_CATALOG", catalog).schema("P.TABLE_SCHEMA", schema)
                .name("P.TABLE_NAME", table);
        return keys(w, by(4, 5, 6, 8));
    }

    @Override
    public ResultSet getCrossReference(String parentCatalog, String parentSchema, String parentTable,
                                       String foreignCatalog, String foreignSchema, String foreignTable)
            throws SQLException {
        Where w = new Where().catalog("P.TABLE_CATALOG", parentCatalog).schema("P.TABLE_SCHEMA", parentSchema)
                .name("P.TABLE_NAME", parentTable).catalog("F.TABLE_CATALOG", foreignCatalog)
                .schema("F.TABLE_SCHEMA", foreignSchema).name("F.TABLE_NAME", foreignTable);
        return keys(w, by(4, 5, 6, 8));
    }

    /** Foreign keys' columns with their referenced columns, filtered by {@code w} on P (parent) and F (foreign). */
    private ResultSet keys(Where w, Comparator<Object[]> order) throws SQLException {
        Result r = new Result(str("PKTABLE_CAT"), str("PKTABLE_SCHEM"), str("PKTABLE_NAME"), str("PKCOLUMN_NAME"),
                str("FKTABLE_CAT"), str("FKTABLE_SCHEM"), str("FKTABLE_NAME"), str("FKCOLUMN_NAME"),
                smallint("KEY_SEQ"),
                smallint("UPDATE_RULE"), smallint("DELETE_RULE"), str("FK_NAME"), str("PK_NAME"),
                smallint("DEFERRABILITY"));
        List<Object[]> rows = new ArrayList<>();
        for (Object[] c : select("SELECT P.TABLE_CATALOG, P.TABLE_SCHEMA, P.TABLE_NAME, P.COLUMN_NAME, "
                + "F.TABLE_CATALOG, F.TABLE_SCHEMA, F.TABLE_NAME, F.COLUMN_NAME, F.ORDINAL_POSITION, R.UPDATE_RULE, "
                + "R.DELETE_RULE, R.CONSTRAINT_NAME, R.UNIQUE_CONSTRAINT_NAME FROM " + IS + "REFERENTIAL_CONSTRAINTS R "
                + "JOIN " + IS + "KEY_COLUMN_USAGE F ON F.CONSTRAINT_CATALOG = R.CONSTRAINT_CATALOG "
                + "AND F.CONSTRAINT_SCHEMA = R.CONSTRAINT_SCHEMA AND F.CONSTRAINT_NAME = R.CONSTRAINT_NAME "
                + "JOIN " + IS + "KEY_COLUMN_USAGE P ON P.CONSTRAINT_CATALOG = R.UNIQUE_CONSTRAINT_CATALOG "
                + "AND P.CONSTRAINT_SCHEMA = R.UNIQUE_CONSTRAINT_SCHEMA "
                + "AND P.CONSTRAINT_NAME = R.UNIQUE_CONSTRAINT_NAME "
                + "AND P.ORDINAL_POSITION = F.POSITION_IN_UNIQUE_CONSTRAINT" + w, w.params)) {
            rows.add(new Object[]{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], toShort(c[8]), rule(c[9]),
                    rule(c[10]), c[11], c[12], (short) importedKeyNotDeferrable});
        }
        rows.sort(order);
        r.rows.addAll(rows);
        return r.resultSet();
    }

    /** JDBC's number of a referential action as INFORMATION_SCHEMA names it. */
    static Short rule(Object action) {
        switch (String.valueOf(action)) {
            case "CASCADE":
                return (short) importedKeyCascade;
            case "SET NULL":
                return (short) importedKeySetNull;
            case "SET DEFAULT":
                return (short) importedKeySetDefault;
            case "NO ACTION":
                return (short) importedKeyNoAction;
            default:
                return (short) importedKeyRestrict;
        }
    }

    @Override
    public ResultSet getIndexInfo(String catalog, String schema, String table, boolean unique, boolean approximate)
            throws SQLException {
        Result r = new Result(str("TABLE_CAT"), str("TABLE_SCHEM"), str("TABLE_NAME"), bool("NON_UNIQUE"),
                str("INDEX_QUALIFIER"), str("INDEX_NAME"), smallint("TYPE"), smallint("ORDINAL_POSITION"),
                str("COLUMN_NAME"), str("ASC_OR_DESC"), bigint("CARDINALITY"), bigint("PAGES"),
                str("FILTER_CONDITION"));
        Where w = new Where().catalog("C.TABLE_CATALOG", catalog).schema("C.TABLE_SCHEMA", schema)
                .name("C.TABLE_NAME", table);
        if (unique) {
            w.and("C.IS_UNIQUE");
        }
        List<Object[]> rows = new ArrayList<>();
        for (Object[] c : select("SELECT C.TABLE_CATALOG, C.TABLE_SCHEMA, C.TABLE_NAME, C.IS_UNIQUE, C.INDEX_CATALOG, "
                + "C.INDEX_NAME, I.INDEX_TYPE_NAME, C.ORDINAL_POSITION, C.COLUMN_NAME, C.ORDERING_SPECIFICATION, "
                + "T.ROW_COUNT_ESTIMATE FROM " + IS + "INDEX_COLUMNS C JOIN " + IS + "INDEXES I "
                + "ON I.INDEX_CATALOG = C.INDEX_CATALOG AND I.INDEX_SCHEMA = C.INDEX_SCHEMA "
                + "AND I.INDEX_NAME = C.INDEX_NAME LEFT JOIN " + IS + "TABLES T ON T.TABLE_CATALOG = C.TABLE_CATALOG "
                + "AND T.TABLE_SCHEMA = C.TABLE_SCHEMA "
                + "AND T.TABLE_NAME = C.TABLE_NAME" + w, w.params)) {
            boolean nonUnique = !Boolean.TRUE.equals(c[3]);
            String ordering = c[9] == null ? null : String.valueOf(c[9]).startsWith("DESC") ? "D" : "A";
            short type = String.valueOf(c[6]).contains("HASH") ? tableIndexHashed : tableIndexOther;
            rows.add(new Object[]{c[0], c[1], c[2], nonUnique, c[4], c[5], type, toShort(c[7]), c[8], ordering,
                    toLong(c[10]), null, null});
        }
        rows.sort(Comparator.<Object[], Boolean>comparing(row -> (Boolean) row[3]).thenComparing(by(6, 5, 7)));
        r.rows.addAll(rows);
        return r.resultSet();
    }

    // ---- catalog: types ----------------------------------------------------------------

    /**
     * H2's types: name, Types number, precision, literal prefix and suffix, create
     * parameters, case sensitive, maximum scale, radix (null when not a number).
     */
    private static final Object[][] TYPES = {
            {"TINYINT", Types.TINYINT, 8, null, null, null, false, 0, 2},
            {"BIGINT", Types.BIGINT, 64, null, null, null, false, 0, 2},
            {"BINARY VARYING", Types.VARBINARY, 1000000000, "X'", "'", "LENGTH", false, 0, null},
            {"BINARY", Types.BINARY, 1000000000, "X'", "'", "LENGTH", false, 0, null},
            {"UUID", Types.BINARY, 16, "'", "'", null, false, 0, null},
            {"CHARACTER", Types.CHAR, 1000000000, "'", "'", "LENGTH", true, 0, null},
            {"NUMERIC", Types.NUMERIC, 100000, null, null, "PRECISION,SCALE", false, 100000, 10},
            {"DECFLOAT", Types.NUMERIC, 100000, null, null, "PRECISION", false, 0, 10},
            {"DECIMAL", Types.DECIMAL, 100000, null, null, "PRECISION,SCALE", false, 100000, 10},
            {"INTEGER", Types.INTEGER, 32, null, null, null, false, 0, 2},
            {"SMALLINT", Types.SMALLINT, 16, null, null, null, false, 0, 2},
            {"FLOAT", Types.FLOAT, 53, null, null, "PRECISION", false, 0, 2},
            {"REAL", Types.REAL, 24, null, null, null, false, 0, 2},
            {"DOUBLE PRECISION", Types.DOUBLE, 53, null, null, null, false, 0, 2},
            {"CHARACTER VARYING", Types.VARCHAR, 1000000000, "'", "'", "LENGTH", true, 0, null},
            {"VARCHAR_IGNORECASE", Types.VARCHAR, 1000000000, "'", "'", "LENGTH", false, 0, null},
            {"BOOLEAN", Types.BOOLEAN, 1, null, null, null, false, 0, null},
            {"DATE", Types.DATE, 10, "DATE '", "'", null, false, 0, null},
            {"TIME", Types.TIME, 18, "TIME '", "'", "SCALE", false, 9, null},
            {"TIMESTAMP", Types.TIMESTAMP, 29, "TIMESTAMP '", "'", "SCALE", false, 9, null},
            {"INTERVAL YEAR", Types.OTHER, 18, "INTERVAL '", "' YEAR", "PRECISION", false, 0, null},
            {"INTERVAL MONTH", Types.OTHER, 18, "INTERVAL '", "' MONTH", "PRECISION", false, 0, null},
            {"INTERVAL DAY", Types.OTHER, 18, "INTERVAL '", "' DAY", "PRECISION", false, 0, null},
            {"INTERVAL HOUR", Types.OTHER, 18, "INTERVAL '", "' HOUR", "PRECISION", false, 0, null},
            {"INTERVAL MINUTE", Types.OTHER, 18, "INTERVAL '", "' MINUTE", "PRECISION", false, 0, null},
            {"INTERVAL SECOND", Types.OTHER, 18, "INTERVAL '", "' SECOND", "PRECISION,SCALE", false, 9, null},
            {"INTERVAL YEAR TO MONTH", Types.OTHER, 18, "INTERVAL '", "' YEAR TO MONTH", "PRECISION", false, 0, null},
            {"INTERVAL DAY TO HOUR", Types.OTHER, 18, "INTERVAL '", "' DAY TO HOUR", "PRECISION", false, 0, null},
            {"INTERVAL DAY TO MINUTE", Types.OTHER, 18, "INTERVAL '", "' DAY TO MINUTE", "PRECISION", false, 0, null},
            {"INTERVAL DAY TO SECOND", Types.OTHER, 18, "INTERVAL '", "' DAY TO SECOND", "PRECISION,SCALE", false, 9,
                    null},
            {"INTERVAL HOUR TO MINUTE", Types.OTHER, 18, "INTERVAL '", "' HOUR TO MINUTE", "PRECISION", false, 0, null},
            {"INTERVAL HOUR TO SECOND", Types.OTHER, 18, "INTERVAL '", "' HOUR TO SECOND", "PRECISION,SCALE", false, 9,
                    null},
            {"INTERVAL MINUTE TO SECOND", Types.OTHER, 18, "INTERVAL '", "' MINUTE TO SECOND", "PRECISION,SCALE", false,
                    9, null},
            {"ENUM", Types.OTHER, 1000000000, "'", "'", "ELEMENT [,...]", false, 0, null},
            {"GEOMETRY", Types.OTHER, Integer.MAX_VALUE, "'", "'", "TYPE,SRID", false, 0, null},
            {"JSON", Types.OTHER, 1000000000, "JSON '", "'", "LENGTH", true, 0, null},
            {"ROW", Types.OTHER, 0, "ROW(", ")", "NAME DATA_TYPE [,...]", false, 0, null},
            {"JAVA_OBJECT", Types.JAVA_OBJECT, 1000000000, "X'", "'", "LENGTH", false, 0, null},
            {"ARRAY", Types.ARRAY, 65536, "ARRAY[", "]", "CARDINALITY", false, 0, null},
            {"BINARY LARGE OBJECT", Types.BLOB, Integer.MAX_VALUE, "X'", "'", "LENGTH", false, 0, null},
            {"CHARACTER LARGE OBJECT", Types.CLOB, Integer.MAX_VALUE, "'", "'", "LENGTH", true, 0, null},
            {"TIME WITH TIME ZONE", Types.TIME_WITH_TIMEZONE, 24, "TIME WITH TIME ZONE '", "'", "SCALE", false, 9,
                    null},
            {"TIMESTAMP WITH TIME ZONE", Types.TIMESTAMP_WITH_TIMEZONE, 35, "TIMESTAMP WITH TIME ZONE '", "'", "SCALE",
                    false, 9, null},
    };

    /** Every type of H2 2.3, by DATA_TYPE (the closest match first within one number, as JDBC asks). */
    @Override
    public ResultSet getTypeInfo() {
        Result r = new Result(str("TYPE_NAME"), integer("DATA_TYPE"), integer("PRECISION"), str("LITERAL_PREFIX"),
                str("LITERAL_SUFFIX"), str("CREATE_PARAMS"), smallint("NULLABLE"), bool("CASE_SENSITIVE"),
                smallint("SEARCHABLE"), bool("UNSIGNED_ATTRIBUTE"), bool("FIXED_PREC_SCALE"), bool("AUTO_INCREMENT"),
                str("LOCAL_TYPE_NAME"), smallint("MINIMUM_SCALE"), smallint("MAXIMUM_SCALE"), integer("SQL_DATA_TYPE"),
                integer("SQL_DATETIME_SUB"), integer("NUM_PREC_RADIX"));
        List<Object[]> rows = new ArrayList<>();
        for (Object[] t : TYPES) {
            int jdbc = (Integer) t[1];
            boolean numeric = t[8] != null;
            // FIXED_PREC_SCALE: a fixed scale, as money types have (NUMERIC and DECIMAL)
            boolean fixed = (jdbc == Types.NUMERIC || jdbc == Types.DECIMAL) && !t[0].equals("DECFLOAT");
            rows.add(new Object[]{t[0], jdbc, t[2], t[3], t[4], t[5], (short) typeNullable, t[6],
                    (short) typeSearchable, false, fixed, numeric, t[0], (short) 0, (short) (int) (Integer) t[7], null,
                    null, t[8]});
        }
        // stable: within one DATA_TYPE the order above (the usual name first)
        rows.sort(Comparator.comparingInt(row -> (Integer) row[1]));
        r.rows.addAll(rows);
        return r.resultSet();
    }

    @Override
    public ResultSet getUDTs(String catalog, String schemaPattern, String typeNamePattern, int[] types) {
        return new Result(str("TYPE_CAT"), str("TYPE_SCHEM"), str("TYPE_NAME"), str("CLASS_NAME"),
                integer("DATA_TYPE"), str("REMARKS"), smallint("BASE_TYPE")).resultSet();
    }

    @Override
    public ResultSet getSuperTypes(String catalog, String schemaPattern, String typeNamePattern) {
        return new Result(str("TYPE_CAT"), str("TYPE_SCHEM"), str("TYPE_NAME"), str("SUPERTYPE_CAT"),
                str("SUPERTYPE_SCHEM"), str("SUPERTYPE_NAME")).resultSet();
    }

    @Override
    public ResultSet getSuperTables(String catalog, String schemaPattern, String tableNamePattern) {
        return new Result(str("TABLE_CAT"), str("TABLE_SCHEM"), str("TABLE_NAME"), str("SUPERTABLE_NAME")).resultSet();
    }

    @Override
    public ResultSet getAttributes(String catalog, String schemaPattern, String typeNamePattern,
                                   String attributeNamePattern) {
        return new Result(str("TYPE_CAT"), str("TYPE_SCHEM"), str("TYPE_NAME"), str("ATTR_NAME"), integer("DATA_TYPE"),
                str("ATTR_TYPE_NAME"), integer("ATTR_SIZE"), integer("DECIMAL_DIGITS"), integer("NUM_PREC_RADIX"),
                integer("NULLABLE"), str("REMARKS"), str("ATTR_DEF"), integer("SQL_DATA_TYPE"),
                integer("SQL_DATETIME_SUB"), integer("CHAR_OCTET_LENGTH"), integer("ORDINAL_POSITION"),
                str("IS_NULLABLE"), str("SCOPE_CATALOG"), str("SCOPE_SCHEMA"), str("SCOPE_TABLE"),
                smallint("SOURCE_DATA_TYPE")).resultSet();
    }

    @Override
    public ResultSet getClientInfoProperties() {
        return new Result(str("NAME"), integer("MAX_LEN"), str("DEFAULT_VALUE"), str("DESCRIPTION")).resultSet();
    }

    // ---- catalog: privileges -----------------------------------------------------------

    @Override
    public ResultSet getTablePrivileges(String catalog, String schemaPattern, String tableNamePattern)
            throws SQLException {
        Result r = new Result(str("TABLE_CAT"), str("TABLE_SCHEM"), str("TABLE_NAME"), str("GRANTOR"), str("GRANTEE"),
                str("PRIVILEGE"), str("IS_GRANTABLE"));
        Where w = new Where().catalog("TABLE_CATALOG", catalog).schemaPattern("TABLE_SCHEMA", schemaPattern)
                .pattern("TABLE_NAME", tableNamePattern);
        for (Object[] c : select("SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, GRANTOR, GRANTEE, PRIVILEGE_TYPE, "
                + "IS_GRANTABLE FROM " + IS + "TABLE_PRIVILEGES" + w
                + " ORDER BY TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE", w.params)) {
            r.add(c);
        }
        return r.resultSet();
    }

    @Override
    public ResultSet getColumnPrivileges(String catalog, String schema, String table, String columnNamePattern)
            throws SQLException {
        Result r = new Result(str("TABLE_CAT"), str("TABLE_SCHEM"), str("TABLE_NAME"), str("COLUMN_NAME"),
                str("GRANTOR"), str("GRANTEE"), str("PRIVILEGE"), str("IS_GRANTABLE"));
        Where w = new Where().catalog("TABLE_CATALOG", catalog).schema("TABLE_SCHEMA", schema)
                .name("TABLE_NAME", table).pattern("COLUMN_NAME", columnNamePattern);
        for (Object[] c : select("SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, GRANTOR, GRANTEE, "
                + "PRIVILEGE_TYPE, IS_GRANTABLE FROM " + IS + "COLUMN_PRIVILEGES" + w
                + " ORDER BY COLUMN_NAME, PRIVILEGE_TYPE", w.params)) {
            r.add(c);
        }
        return r.resultSet();
    }

    // ---- catalog: routines -------------------------------------------------------------

    @Override
    public ResultSet getProcedures(String catalog, String schemaPattern, String procedureNamePattern)
            throws SQLException {
        Result r = new Result(str("PROCEDURE_CAT"), str("PROCEDURE_SCHEM"), str("PROCEDURE_NAME"), str("RESERVED1"),
                str("RESERVED2"), str("RESERVED3"), str("REMARKS"), smallint("PROCEDURE_TYPE"), str("SPECIFIC_NAME"));
        for (Object[] c : routines(catalog, schemaPattern, procedureNamePattern)) {
            r.add(c[0], c[1], c[2], null, null, null, c[4],
                    (short) (c[3] == null ? procedureNoResult : procedureReturnsResult), c[5]);
        }
        return r.resultSet();
    }

    @Override
    public ResultSet getFunctions(String catalog, String schemaPattern, String functionNamePattern)
            throws SQLException {
        Result r = new Result(str("FUNCTION_CAT"), str("FUNCTION_SCHEM"), str("FUNCTION_NAME"), str("REMARKS"),
                smallint("FUNCTION_TYPE"), str("SPECIFIC_NAME"));
        for (Object[] c : routines(catalog, schemaPattern, functionNamePattern)) {
            r.add(c[0], c[1], c[2], c[4], (short) functionResultUnknown, c[5]);
        }
        return r.resultSet();
    }

    /** The routines (CREATE ALIAS, CREATE AGGREGATE): catalog, schema, name, data type, remarks, specific name. */
    private List<Object[]> routines(String catalog, String schemaPattern, String namePattern) throws SQLException {
        Where w = new Where().catalog("ROUTINE_CATALOG", catalog).schemaPattern("ROUTINE_SCHEMA", schemaPattern)
                .pattern("ROUTINE_NAME", namePattern);
        return select("SELECT ROUTINE_CATALOG, ROUTINE_SCHEMA, ROUTINE_NAME, DATA_TYPE, REMARKS, SPECIFIC_NAME FROM "
                + IS + "ROUTINES" + w + " ORDER BY ROUTINE_CATALOG, ROUTINE_SCHEMA, ROUTINE_NAME, SPECIFIC_NAME",
                w.params);
    }

    @Override
    public ResultSet getProcedureColumns(String catalog, String schemaPattern, String procedureNamePattern,
                                         String columnNamePattern) throws SQLException {
        Result r = new Result(str("PROCEDURE_CAT"), str("PROCEDURE_SCHEM"), str("PROCEDURE_NAME"), str("COLUMN_NAME"),
                smallint("COLUMN_TYPE"), integer("DATA_TYPE"), str("TYPE_NAME"), integer("PRECISION"),
                integer("LENGTH"), smallint("SCALE"), smallint("RADIX"), smallint("NULLABLE"), str("REMARKS"),
                str("COLUMN_DEF"), integer("SQL_DATA_TYPE"), integer("SQL_DATETIME_SUB"), integer("CHAR_OCTET_LENGTH"),
                integer("ORDINAL_POSITION"), str("IS_NULLABLE"), str("SPECIFIC_NAME"));
        for (Object[] c : routineColumns(catalog, schemaPattern, procedureNamePattern, columnNamePattern)) {
            SqlType t = SqlType.of(c, 6);
            Integer digits = t.decimalDigits();
            Integer radix = t.radix();
            r.add(c[0], c[1], c[2], c[3], (short) ((Integer) c[4] == 0 ? procedureColumnReturn : procedureColumnIn),
                    t.jdbcType(), t.typeName(), t.columnSize(), t.columnSize(),
                    digits == null ? null : (short) (int) digits, radix == null ? null : (short) (int) radix,
                    (short) procedureNullableUnknown, null, null, null, null, t.charOctetLength(), c[4], "", c[5]);
        }
        return r.resultSet();
    }

    @Override
    public ResultSet getFunctionColumns(String catalog, String schemaPattern, String functionNamePattern,
                                        String columnNamePattern) throws SQLException {
        Result r = new Result(str("FUNCTION_CAT"), str("FUNCTION_SCHEM"), str("FUNCTION_NAME"), str("COLUMN_NAME"),
                smallint("COLUMN_TYPE"), integer("DATA_TYPE"), str("TYPE_NAME"), integer("PRECISION"),
                integer("LENGTH"), smallint("SCALE"), smallint("RADIX"), smallint("NULLABLE"), str("REMARKS"),
                integer("CHAR_OCTET_LENGTH"), integer("ORDINAL_POSITION"), str("IS_NULLABLE"), str("SPECIFIC_NAME"));
        for (Object[] c : routineColumns(catalog, schemaPattern, functionNamePattern, columnNamePattern)) {
            SqlType t = SqlType.of(c, 6);
            Integer digits = t.decimalDigits();
            Integer radix = t.radix();
            r.add(c[0], c[1], c[2], c[3], (short) ((Integer) c[4] == 0 ? functionReturn : functionColumnIn),
                    t.jdbcType(), t.typeName(), t.columnSize(), t.columnSize(),
                    digits == null ? null : (short) (int) digits, radix == null ? null : (short) (int) radix,
                    (short) functionNullableUnknown, null, t.charOctetLength(), c[4], "", c[5]);
        }
        return r.resultSet();
    }

    /**
     * Routines' results (ordinal 0, named RESULT) and parameters (P1, P2, ... as H2 names
     * them): catalog, schema, routine, column name, ordinal, specific name, then the type.
     */
    private List<Object[]> routineColumns(String catalog, String schemaPattern, String namePattern,
                                          String columnNamePattern) throws SQLException {
        Where w = new Where().catalog("R.ROUTINE_CATALOG", catalog).schemaPattern("R.ROUTINE_SCHEMA", schemaPattern)
                .pattern("R.ROUTINE_NAME", namePattern);
        String sql = "SELECT * FROM (SELECT R.ROUTINE_CATALOG, R.ROUTINE_SCHEMA, R.ROUTINE_NAME, "
                + "'RESULT' AS COLUMN_NAME, "
                + "0 AS ORDINAL_POSITION, R.SPECIFIC_NAME, " + typeColumns("R.", false) + " FROM " + IS + "ROUTINES R"
                + w.andAlso("R.DATA_TYPE IS NOT NULL") + " UNION ALL SELECT R.ROUTINE_CATALOG, R.ROUTINE_SCHEMA, "
                + "R.ROUTINE_NAME, COALESCE(P.PARAMETER_NAME, 'P' || P.ORDINAL_POSITION), P.ORDINAL_POSITION, "
                + "R.SPECIFIC_NAME, " + typeColumns("P.", false) + " FROM " + IS + "ROUTINES R "
                + "JOIN " + IS + "PARAMETERS P "
                + "ON P.SPECIFIC_CATALOG = R.SPECIFIC_CATALOG AND P.SPECIFIC_SCHEMA = R.SPECIFIC_SCHEMA "
                + "AND P.SPECIFIC_NAME = R.SPECIFIC_NAME" + w + ") X";
        List<Object> params = new ArrayList<>(w.params);
        params.addAll(w.params);
        if (columnNamePattern != null) {
            sql += " WHERE COLUMN_NAME LIKE ?" + ESCAPE;
            params.add(columnNamePattern);
        }
        sql += " ORDER BY ROUTINE_CATALOG, ROUTINE_SCHEMA, ROUTINE_NAME, SPECIFIC_NAME, ORDINAL_POSITION";
        List<Object[]> rows = select(sql, params);
        for (Object[] row : rows) {
            row[4] = toInt(row[4]);
        }
        return rows;
    }

    // ---- helpers -----------------------------------------------------------------------

    /** A WHERE clause of fixed conditions and the caller's values as parameters. */
    private static final class Where {
        final List<String> conditions = new ArrayList<>();
        final List<Object> params = new ArrayList<>();

        /** A catalog's name: null and "" do not filter (one catalog per server). */
        Where catalog(String column, String catalog) {
            if (catalog != null && !catalog.isEmpty()) {
                conditions.add(column + " = ?");
                params.add(catalog);
            }
            return this;
        }

        /** A schema's name: null does not filter, "" is the default schema. */
        Where schema(String column, String schema) {
            if (schema != null) {
                conditions.add(column + " = " + (schema.isEmpty() ? "'PUBLIC'" : "?"));
                if (!schema.isEmpty()) {
                    params.add(schema);
                }
            }
            return this;
        }

        /** A schema's LIKE pattern: null does not filter, "" is the default schema. */
        Where schemaPattern(String column, String pattern) {
            if (pattern != null && pattern.isEmpty()) {
                conditions.add(column + " = 'PUBLIC'");
                return this;
            }
            return pattern(column, pattern);
        }

        /** A LIKE pattern with \ as its escape; null does not filter. */
        Where pattern(String column, String pattern) {
            if (pattern != null) {
                conditions.add(column + " LIKE ?" + ESCAPE);
                params.add(pattern);
            }
            return this;
        }

        /** An exact name; null does not filter. */
        Where name(String column, String name) {
            if (name != null) {
                conditions.add(column + " = ?");
                params.add(name);
            }
            return this;
        }

        void and(String condition) {
            conditions.add(condition);
        }

        /** This clause with one more condition, leaving this unchanged. */
        String andAlso(String condition) {
            List<String> all = new ArrayList<>(conditions);
            all.add(condition);
            return " WHERE " + String.join(" AND ", all);
        }

        @Override
        public String toString() {
            return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        }
    }

    /**
     * Runs a query of the driver's own on the connection's session, with the caller's names
     * and patterns as {@code params}, and reads all its rows (the catalog is small).
     */
    private List<Object[]> select(String sql, List<Object> params) throws SQLException {
        connection.checkOpen();
        try {
            List<Object[]> rows = new ArrayList<>();
            for (Row row : connection.client().statement(sql).parameters(params.toArray()).readOnly(true).execute()
                    .rows()) {
                rows.add(row.values());
            }
            return rows;
        } catch (TetraException e) {
            throw JdbcErrors.of(e);
        }
    }

    /** An in-memory result with JDBC's column labels. */
    private static final class Result {
        final List<ColumnInfo> columns;
        final List<Object[]> rows = new ArrayList<>();

        Result(ColumnInfo... columns) {
            this.columns = List.of(columns);
        }

        void add(Object... row) {
            rows.add(row);
        }

        ResultSet resultSet() {
            return new TetraResultSet(null, RowSource.of(columns, rows));
        }
    }

    private static ColumnInfo str(String name) {
        return new ColumnInfo(name, name, "CHARACTER VARYING", Types.VARCHAR, true);
    }

    private static ColumnInfo integer(String name) {
        return new ColumnInfo(name, name, "INTEGER", Types.INTEGER, true);
    }

    private static ColumnInfo smallint(String name) {
        return new ColumnInfo(name, name, "SMALLINT", Types.SMALLINT, true);
    }

    private static ColumnInfo bigint(String name) {
        return new ColumnInfo(name, name, "BIGINT", Types.BIGINT, true);
    }

    private static ColumnInfo bool(String name) {
        return new ColumnInfo(name, name, "BOOLEAN", Types.BOOLEAN, true);
    }

    /** Orders rows by the given columns, nulls first, comparing strings and numbers. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparator<Object[]> by(int... columns) {
        return (a, b) -> {
            for (int i : columns) {
                Object x = a[i];
                Object y = b[i];
                int c;
                if (x == null || y == null) {
                    c = x == null ? (y == null ? 0 : -1) : 1;
                } else {
                    c = ((Comparable) x).compareTo(y);
                }
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
    }

    static Integer toInt(Object v) {
        return v == null ? null : ((Number) v).intValue();
    }

    static Long toLong(Object v) {
        return v == null ? null : ((Number) v).longValue();
    }

    static Short toShort(Object v) {
        return v == null ? null : ((Number) v).shortValue();
    }

    static int clamp(long v) {
        return (int) Math.min(Integer.MAX_VALUE, v);
    }
}
