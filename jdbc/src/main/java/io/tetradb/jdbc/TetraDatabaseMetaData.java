package io.tetradb.jdbc;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.sql.*;
import java.util.List;
import java.util.Map;

/** What the server is and holds, for tools (product, capabilities, tables, columns, keys, indexes, types). */
public final class TetraDatabaseMetaData implements DatabaseMetaData {
    private final TetraConnection connection;

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

    @Override
    public boolean allProceduresAreCallable() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.allProceduresAreCallable");
    }

    @Override
    public boolean allTablesAreSelectable() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.allTablesAreSelectable");
    }

    @Override
    public boolean autoCommitFailureClosesAllResultSets() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.autoCommitFailureClosesAllResultSets");
    }

    @Override
    public boolean dataDefinitionCausesTransactionCommit() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.dataDefinitionCausesTransactionCommit");
    }

    @Override
    public boolean dataDefinitionIgnoredInTransactions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.dataDefinitionIgnoredInTransactions");
    }

    @Override
    public boolean deletesAreDetected(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.deletesAreDetected");
    }

    @Override
    public boolean doesMaxRowSizeIncludeBlobs() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.doesMaxRowSizeIncludeBlobs");
    }

    @Override
    public boolean generatedKeyAlwaysReturned() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.generatedKeyAlwaysReturned");
    }

    @Override
    public ResultSet getAttributes(String a0, String a1, String a2, String a3) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getAttributes");
    }

    @Override
    public ResultSet getBestRowIdentifier(String a0, String a1, String a2, int a3, boolean a4) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getBestRowIdentifier");
    }

    @Override
    public String getCatalogSeparator() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getCatalogSeparator");
    }

    @Override
    public String getCatalogTerm() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getCatalogTerm");
    }

    @Override
    public ResultSet getCatalogs() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getCatalogs");
    }

    @Override
    public ResultSet getClientInfoProperties() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getClientInfoProperties");
    }

    @Override
    public ResultSet getColumnPrivileges(String a0, String a1, String a2, String a3) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getColumnPrivileges");
    }

    @Override
    public ResultSet getColumns(String a0, String a1, String a2, String a3) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getColumns");
    }

    @Override
    public ResultSet getCrossReference(String a0, String a1, String a2, String a3, String a4, String a5) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getCrossReference");
    }

    @Override
    public int getDatabaseMajorVersion() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getDatabaseMajorVersion");
    }

    @Override
    public int getDatabaseMinorVersion() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getDatabaseMinorVersion");
    }

    @Override
    public int getDefaultTransactionIsolation() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getDefaultTransactionIsolation");
    }

    @Override
    public ResultSet getExportedKeys(String a0, String a1, String a2) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getExportedKeys");
    }

    @Override
    public String getExtraNameCharacters() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getExtraNameCharacters");
    }

    @Override
    public ResultSet getFunctionColumns(String a0, String a1, String a2, String a3) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getFunctionColumns");
    }

    @Override
    public ResultSet getFunctions(String a0, String a1, String a2) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getFunctions");
    }

    @Override
    public String getIdentifierQuoteString() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getIdentifierQuoteString");
    }

    @Override
    public ResultSet getImportedKeys(String a0, String a1, String a2) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getImportedKeys");
    }

    @Override
    public ResultSet getIndexInfo(String a0, String a1, String a2, boolean a3, boolean a4) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getIndexInfo");
    }

    @Override
    public int getJDBCMajorVersion() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getJDBCMajorVersion");
    }

    @Override
    public int getJDBCMinorVersion() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getJDBCMinorVersion");
    }

    @Override
    public int getMaxBinaryLiteralLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxBinaryLiteralLength");
    }

    @Override
    public int getMaxCatalogNameLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxCatalogNameLength");
    }

    @Override
    public int getMaxCharLiteralLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxCharLiteralLength");
    }

    @Override
    public int getMaxColumnNameLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxColumnNameLength");
    }

    @Override
    public int getMaxColumnsInGroupBy() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxColumnsInGroupBy");
    }

    @Override
    public int getMaxColumnsInIndex() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxColumnsInIndex");
    }

    @Override
    public int getMaxColumnsInOrderBy() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxColumnsInOrderBy");
    }

    @Override
    public int getMaxColumnsInSelect() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxColumnsInSelect");
    }

    @Override
    public int getMaxColumnsInTable() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxColumnsInTable");
    }

    @Override
    public int getMaxConnections() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxConnections");
    }

    @Override
    public int getMaxCursorNameLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxCursorNameLength");
    }

    @Override
    public int getMaxIndexLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxIndexLength");
    }

    @Override
    public long getMaxLogicalLobSize() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxLogicalLobSize");
    }

    @Override
    public int getMaxProcedureNameLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxProcedureNameLength");
    }

    @Override
    public int getMaxRowSize() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxRowSize");
    }

    @Override
    public int getMaxSchemaNameLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxSchemaNameLength");
    }

    @Override
    public int getMaxStatementLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxStatementLength");
    }

    @Override
    public int getMaxStatements() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxStatements");
    }

    @Override
    public int getMaxTableNameLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxTableNameLength");
    }

    @Override
    public int getMaxTablesInSelect() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxTablesInSelect");
    }

    @Override
    public int getMaxUserNameLength() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getMaxUserNameLength");
    }

    @Override
    public String getNumericFunctions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getNumericFunctions");
    }

    @Override
    public ResultSet getPrimaryKeys(String a0, String a1, String a2) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getPrimaryKeys");
    }

    @Override
    public ResultSet getProcedureColumns(String a0, String a1, String a2, String a3) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getProcedureColumns");
    }

    @Override
    public String getProcedureTerm() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getProcedureTerm");
    }

    @Override
    public ResultSet getProcedures(String a0, String a1, String a2) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getProcedures");
    }

    @Override
    public ResultSet getPseudoColumns(String a0, String a1, String a2, String a3) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getPseudoColumns");
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getResultSetHoldability");
    }

    @Override
    public RowIdLifetime getRowIdLifetime() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getRowIdLifetime");
    }

    @Override
    public String getSQLKeywords() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getSQLKeywords");
    }

    @Override
    public int getSQLStateType() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getSQLStateType");
    }

    @Override
    public String getSchemaTerm() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getSchemaTerm");
    }

    @Override
    public ResultSet getSchemas() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getSchemas");
    }

    @Override
    public ResultSet getSchemas(String a0, String a1) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getSchemas");
    }

    @Override
    public String getSearchStringEscape() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getSearchStringEscape");
    }

    @Override
    public String getStringFunctions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getStringFunctions");
    }

    @Override
    public ResultSet getSuperTables(String a0, String a1, String a2) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getSuperTables");
    }

    @Override
    public ResultSet getSuperTypes(String a0, String a1, String a2) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getSuperTypes");
    }

    @Override
    public String getSystemFunctions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getSystemFunctions");
    }

    @Override
    public ResultSet getTablePrivileges(String a0, String a1, String a2) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getTablePrivileges");
    }

    @Override
    public ResultSet getTableTypes() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getTableTypes");
    }

    @Override
    public ResultSet getTables(String a0, String a1, String a2, String[] a3) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getTables");
    }

    @Override
    public String getTimeDateFunctions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getTimeDateFunctions");
    }

    @Override
    public ResultSet getTypeInfo() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getTypeInfo");
    }

    @Override
    public ResultSet getUDTs(String a0, String a1, String a2, int[] a3) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getUDTs");
    }

    @Override
    public ResultSet getVersionColumns(String a0, String a1, String a2) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.getVersionColumns");
    }

    @Override
    public boolean insertsAreDetected(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.insertsAreDetected");
    }

    @Override
    public boolean isCatalogAtStart() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.isCatalogAtStart");
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.isReadOnly");
    }

    @Override
    public boolean locatorsUpdateCopy() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.locatorsUpdateCopy");
    }

    @Override
    public boolean nullPlusNonNullIsNull() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.nullPlusNonNullIsNull");
    }

    @Override
    public boolean nullsAreSortedAtEnd() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.nullsAreSortedAtEnd");
    }

    @Override
    public boolean nullsAreSortedAtStart() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.nullsAreSortedAtStart");
    }

    @Override
    public boolean nullsAreSortedHigh() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.nullsAreSortedHigh");
    }

    @Override
    public boolean nullsAreSortedLow() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.nullsAreSortedLow");
    }

    @Override
    public boolean othersDeletesAreVisible(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.othersDeletesAreVisible");
    }

    @Override
    public boolean othersInsertsAreVisible(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.othersInsertsAreVisible");
    }

    @Override
    public boolean othersUpdatesAreVisible(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.othersUpdatesAreVisible");
    }

    @Override
    public boolean ownDeletesAreVisible(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.ownDeletesAreVisible");
    }

    @Override
    public boolean ownInsertsAreVisible(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.ownInsertsAreVisible");
    }

    @Override
    public boolean ownUpdatesAreVisible(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.ownUpdatesAreVisible");
    }

    @Override
    public boolean storesLowerCaseIdentifiers() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.storesLowerCaseIdentifiers");
    }

    @Override
    public boolean storesLowerCaseQuotedIdentifiers() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.storesLowerCaseQuotedIdentifiers");
    }

    @Override
    public boolean storesMixedCaseIdentifiers() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.storesMixedCaseIdentifiers");
    }

    @Override
    public boolean storesMixedCaseQuotedIdentifiers() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.storesMixedCaseQuotedIdentifiers");
    }

    @Override
    public boolean storesUpperCaseIdentifiers() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.storesUpperCaseIdentifiers");
    }

    @Override
    public boolean storesUpperCaseQuotedIdentifiers() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.storesUpperCaseQuotedIdentifiers");
    }

    @Override
    public boolean supportsANSI92EntryLevelSQL() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsANSI92EntryLevelSQL");
    }

    @Override
    public boolean supportsANSI92FullSQL() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsANSI92FullSQL");
    }

    @Override
    public boolean supportsANSI92IntermediateSQL() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsANSI92IntermediateSQL");
    }

    @Override
    public boolean supportsAlterTableWithAddColumn() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsAlterTableWithAddColumn");
    }

    @Override
    public boolean supportsAlterTableWithDropColumn() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsAlterTableWithDropColumn");
    }

    @Override
    public boolean supportsBatchUpdates() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsBatchUpdates");
    }

    @Override
    public boolean supportsCatalogsInDataManipulation() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsCatalogsInDataManipulation");
    }

    @Override
    public boolean supportsCatalogsInIndexDefinitions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsCatalogsInIndexDefinitions");
    }

    @Override
    public boolean supportsCatalogsInPrivilegeDefinitions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsCatalogsInPrivilegeDefinitions");
    }

    @Override
    public boolean supportsCatalogsInProcedureCalls() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsCatalogsInProcedureCalls");
    }

    @Override
    public boolean supportsCatalogsInTableDefinitions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsCatalogsInTableDefinitions");
    }

    @Override
    public boolean supportsColumnAliasing() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsColumnAliasing");
    }

    @Override
    public boolean supportsConvert() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsConvert");
    }

    @Override
    public boolean supportsConvert(int a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsConvert");
    }

    @Override
    public boolean supportsCoreSQLGrammar() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsCoreSQLGrammar");
    }

    @Override
    public boolean supportsCorrelatedSubqueries() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsCorrelatedSubqueries");
    }

    @Override
    public boolean supportsDataDefinitionAndDataManipulationTransactions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsDataDefinitionAndDataManipulationTransactions");
    }

    @Override
    public boolean supportsDataManipulationTransactionsOnly() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsDataManipulationTransactionsOnly");
    }

    @Override
    public boolean supportsDifferentTableCorrelationNames() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsDifferentTableCorrelationNames");
    }

    @Override
    public boolean supportsExpressionsInOrderBy() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsExpressionsInOrderBy");
    }

    @Override
    public boolean supportsExtendedSQLGrammar() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsExtendedSQLGrammar");
    }

    @Override
    public boolean supportsFullOuterJoins() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsFullOuterJoins");
    }

    @Override
    public boolean supportsGetGeneratedKeys() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsGetGeneratedKeys");
    }

    @Override
    public boolean supportsGroupBy() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsGroupBy");
    }

    @Override
    public boolean supportsGroupByBeyondSelect() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsGroupByBeyondSelect");
    }

    @Override
    public boolean supportsGroupByUnrelated() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsGroupByUnrelated");
    }

    @Override
    public boolean supportsIntegrityEnhancementFacility() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsIntegrityEnhancementFacility");
    }

    @Override
    public boolean supportsLikeEscapeClause() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsLikeEscapeClause");
    }

    @Override
    public boolean supportsLimitedOuterJoins() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsLimitedOuterJoins");
    }

    @Override
    public boolean supportsMinimumSQLGrammar() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsMinimumSQLGrammar");
    }

    @Override
    public boolean supportsMixedCaseIdentifiers() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsMixedCaseIdentifiers");
    }

    @Override
    public boolean supportsMixedCaseQuotedIdentifiers() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsMixedCaseQuotedIdentifiers");
    }

    @Override
    public boolean supportsMultipleOpenResults() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsMultipleOpenResults");
    }

    @Override
    public boolean supportsMultipleResultSets() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsMultipleResultSets");
    }

    @Override
    public boolean supportsMultipleTransactions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsMultipleTransactions");
    }

    @Override
    public boolean supportsNamedParameters() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsNamedParameters");
    }

    @Override
    public boolean supportsNonNullableColumns() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsNonNullableColumns");
    }

    @Override
    public boolean supportsOpenCursorsAcrossCommit() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsOpenCursorsAcrossCommit");
    }

    @Override
    public boolean supportsOpenCursorsAcrossRollback() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsOpenCursorsAcrossRollback");
    }

    @Override
    public boolean supportsOpenStatementsAcrossCommit() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsOpenStatementsAcrossCommit");
    }

    @Override
    public boolean supportsOpenStatementsAcrossRollback() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsOpenStatementsAcrossRollback");
    }

    @Override
    public boolean supportsOrderByUnrelated() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsOrderByUnrelated");
    }

    @Override
    public boolean supportsOuterJoins() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsOuterJoins");
    }

    @Override
    public boolean supportsPositionedDelete() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsPositionedDelete");
    }

    @Override
    public boolean supportsPositionedUpdate() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsPositionedUpdate");
    }

    @Override
    public boolean supportsRefCursors() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsRefCursors");
    }

    @Override
    public boolean supportsResultSetConcurrency(int a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsResultSetConcurrency");
    }

    @Override
    public boolean supportsResultSetHoldability(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsResultSetHoldability");
    }

    @Override
    public boolean supportsResultSetType(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsResultSetType");
    }

    @Override
    public boolean supportsSavepoints() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSavepoints");
    }

    @Override
    public boolean supportsSchemasInDataManipulation() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSchemasInDataManipulation");
    }

    @Override
    public boolean supportsSchemasInIndexDefinitions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSchemasInIndexDefinitions");
    }

    @Override
    public boolean supportsSchemasInPrivilegeDefinitions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSchemasInPrivilegeDefinitions");
    }

    @Override
    public boolean supportsSchemasInProcedureCalls() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSchemasInProcedureCalls");
    }

    @Override
    public boolean supportsSchemasInTableDefinitions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSchemasInTableDefinitions");
    }

    @Override
    public boolean supportsSelectForUpdate() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSelectForUpdate");
    }

    @Override
    public boolean supportsSharding() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSharding");
    }

    @Override
    public boolean supportsStatementPooling() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsStatementPooling");
    }

    @Override
    public boolean supportsStoredFunctionsUsingCallSyntax() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsStoredFunctionsUsingCallSyntax");
    }

    @Override
    public boolean supportsStoredProcedures() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsStoredProcedures");
    }

    @Override
    public boolean supportsSubqueriesInComparisons() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSubqueriesInComparisons");
    }

    @Override
    public boolean supportsSubqueriesInExists() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSubqueriesInExists");
    }

    @Override
    public boolean supportsSubqueriesInIns() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSubqueriesInIns");
    }

    @Override
    public boolean supportsSubqueriesInQuantifieds() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsSubqueriesInQuantifieds");
    }

    @Override
    public boolean supportsTableCorrelationNames() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsTableCorrelationNames");
    }

    @Override
    public boolean supportsTransactionIsolationLevel(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsTransactionIsolationLevel");
    }

    @Override
    public boolean supportsTransactions() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsTransactions");
    }

    @Override
    public boolean supportsUnion() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsUnion");
    }

    @Override
    public boolean supportsUnionAll() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.supportsUnionAll");
    }

    @Override
    public boolean updatesAreDetected(int a0) throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.updatesAreDetected");
    }

    @Override
    public boolean usesLocalFilePerTable() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.usesLocalFilePerTable");
    }

    @Override
    public boolean usesLocalFiles() throws SQLException {
        throw JdbcErrors.unsupported("DatabaseMetaData.usesLocalFiles");
    }
}
