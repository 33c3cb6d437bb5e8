package io.tetradb.server.session;

import io.tetradb.protocol.StatementKind;
import io.tetradb.server.sql.StatementClassifier.Classification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-session statement cache, on a real (in-memory) H2 connection. */
class StatementCacheTest {
    private static final Classification READ = new Classification(StatementKind.READ, 0, true);
    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        c = DriverManager.getConnection("jdbc:h2:mem:statement-cache-test");
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private StatementCache.Entry prepareAndAdd(StatementCache cache, String sql, long version) throws SQLException {
        return cache.add(sql, "", c.prepareStatement(sql), READ, version);
    }

    @Test
    void aReleasedStatementIsReusedUntilTheSchemaVersionChanges() throws SQLException {
        StatementCache cache = new StatementCache(4);
        StatementCache.Entry e = prepareAndAdd(cache, "SELECT 1", 7);
        cache.release(e);
        assertThat(cache.classification("SELECT 1", "", 7)).isSameAs(READ);
        assertThat(cache.classification("SELECT 1", "*", 7)).as("generated keys are another statement").isNull();
        assertThat(cache.classification("SELECT 1", "n:ID", 7)).as("keys by name are another statement").isNull();
        StatementCache.Entry again = cache.acquire("SELECT 1", "", 7);
        assertThat(again).isSameAs(e);
        assertThat(cache.acquire("SELECT 1", "", 7)).as("busy").isNull();
        cache.release(again);
        assertThat(cache.acquire("SELECT 1", "", 8)).as("stale after DDL").isNull();
        assertThat(e.statement.isClosed()).isTrue();
        assertThat(cache.size()).isZero();
    }

    @Test
    void theLeastRecentlyUsedGoesAndIsClosed() throws SQLException {
        StatementCache cache = new StatementCache(2);
        StatementCache.Entry a = prepareAndAdd(cache, "SELECT 1", 1);
        cache.release(a);
        StatementCache.Entry b = prepareAndAdd(cache, "SELECT 2", 1);
        cache.release(b);
        cache.release(cache.acquire("SELECT 1", "", 1)); // A used last: B is the eldest now
        StatementCache.Entry d = prepareAndAdd(cache, "SELECT 3", 1);
        cache.release(d);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(b.statement.isClosed()).isTrue();
        assertThat(a.statement.isClosed()).isFalse();
        assertThat(cache.classification("SELECT 2", "", 1)).isNull();
    }

    @Test
    void aBusyStatementSurvivesClearUntilReleasedAndADuplicateLivesOnce() throws SQLException {
        StatementCache cache = new StatementCache(4);
        StatementCache.Entry busy = prepareAndAdd(cache, "SELECT 1", 1);
        PreparedStatement second = c.prepareStatement("SELECT 1");
        StatementCache.Entry duplicate = cache.add("SELECT 1", "", second, READ, 1);
        cache.release(duplicate);
        assertThat(second.isClosed()).as("the text was cached already: the duplicate is closed after use").isTrue();
        cache.clear();
        assertThat(busy.statement.isClosed()).isFalse();
        cache.release(busy);
        assertThat(busy.statement.isClosed()).isTrue();
        assertThat(cache.size()).isZero();
    }
}
