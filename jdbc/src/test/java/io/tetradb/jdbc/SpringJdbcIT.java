package io.tetradb.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Spring's JdbcTemplate and DataSourceTransactionManager, unchanged, over the Tetra driver. */
@Timeout(120)
class SpringJdbcIT extends ServerPerTest {
    SingleConnectionDataSource dataSource;
    JdbcTemplate jdbc;
    TransactionTemplate tx;

    record Account(long id, String owner, BigDecimal balance, LocalDate opened) {
    }

    @BeforeEach
    void start() throws Exception {
        dataSource = new SingleConnectionDataSource(JdbcServers.url(server, ""), "admin", JdbcServers.ADMIN_PASSWORD,
                true);
        jdbc = new JdbcTemplate(dataSource);
        tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        jdbc.execute("CREATE TABLE ACCOUNT(ID BIGINT AUTO_INCREMENT PRIMARY KEY, OWNER VARCHAR(100) UNIQUE, "
                + "BALANCE DECIMAL(12, 2), OPENED DATE)");
    }

    @AfterEach
    void stop() {
        dataSource.destroy();
    }

    private List<Account> accounts() {
        return jdbc.query("SELECT ID, OWNER, BALANCE, OPENED FROM ACCOUNT ORDER BY ID", (rs, n) -> new Account(
                rs.getLong("ID"), rs.getString("OWNER"), rs.getBigDecimal("BALANCE"),
                rs.getObject("OPENED", LocalDate.class)));
    }

    @Test
    void queryUpdateBatchAndGeneratedKeys() {
        assertThat(jdbc.update("INSERT INTO ACCOUNT(OWNER, BALANCE, OPENED) VALUES (?, ?, ?)", "Ada",
                new BigDecimal("100.00"), LocalDate.of(2024, 1, 31))).isEqualTo(1);
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(c -> {
            PreparedStatement ps = c.prepareStatement("INSERT INTO ACCOUNT(OWNER, BALANCE) VALUES (?, ?)",
                    new String[]{"ID"});
            ps.setString(1, "Grace");
            ps.setBigDecimal(2, new BigDecimal("50.00"));
            return ps;
        }, keys);
        assertThat(keys.getKey()).isNotNull();
        assertThat(keys.getKey().longValue()).isEqualTo(2);
        int[] counts = jdbc.batchUpdate("INSERT INTO ACCOUNT(OWNER, BALANCE) VALUES (?, ?)",
                List.of(new Object[]{"Linus", 1}, new Object[]{"Barbara", 2}, new Object[]{"Edsger", 3}));
        assertThat(counts).containsExactly(1, 1, 1);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACCOUNT", Long.class)).isEqualTo(5);
        assertThat(jdbc.queryForObject("SELECT OWNER FROM ACCOUNT WHERE ID = ?", String.class, 2)).isEqualTo("Grace");
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT OWNER, BALANCE FROM ACCOUNT WHERE BALANCE < ?", 10);
        assertThat(rows).hasSize(3);
        assertThat(accounts().get(0)).isEqualTo(new Account(1, "Ada", new BigDecimal("100.00"), LocalDate.of(2024, 1, 31)));
        assertThatThrownBy(() -> jdbc.update("INSERT INTO ACCOUNT(OWNER) VALUES ('Ada')"))
                .as("H2's codes, translated by Spring").isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void aTransactionCommitsOrRollsBackOnAnException() {
        tx.executeWithoutResult(s -> {
            jdbc.update("INSERT INTO ACCOUNT(OWNER, BALANCE) VALUES ('Ada', 100)");
            jdbc.update("INSERT INTO ACCOUNT(OWNER, BALANCE) VALUES ('Grace', 50)");
        });
        assertThat(accounts()).hasSize(2);
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            jdbc.update("UPDATE ACCOUNT SET BALANCE = BALANCE - 30 WHERE OWNER = 'Ada'");
            jdbc.update("UPDATE ACCOUNT SET BALANCE = BALANCE + 30 WHERE OWNER = 'Grace'");
            throw new IllegalStateException("the transfer is refused");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(accounts()).extracting(Account::balance)
                .containsExactly(new BigDecimal("100.00"), new BigDecimal("50.00"));
        tx.executeWithoutResult(s -> {
            jdbc.update("UPDATE ACCOUNT SET BALANCE = BALANCE - 30 WHERE OWNER = 'Ada'");
            jdbc.update("UPDATE ACCOUNT SET BALANCE = BALANCE + 30 WHERE OWNER = 'Grace'");
        });
        assertThat(accounts()).extracting(Account::balance)
                .containsExactly(new BigDecimal("70.00"), new BigDecimal("80.00"));
    }
}
