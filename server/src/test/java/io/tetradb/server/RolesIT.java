package io.tetradb.server;

import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Roles admin / user / reader, mapped onto H2 accounts, through a real server. */
@Timeout(120)
class RolesIT {
    @TempDir
    static Path dir;
    static TetraServer server;
    static TetraClient admin;
    static TetraClient user;
    static TetraClient reader;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
        admin.admin().addUser("app", Role.USER, "app-password".toCharArray());
        admin.admin().addUser("viewer", Role.READER, "viewer-password".toCharArray());
        user = TestServers.connect(server, "app", "app-password");
        reader = TestServers.connect(server, "viewer", "viewer-password");
        admin.execute("CREATE TABLE ADMIN_T(ID INT PRIMARY KEY, V VARCHAR(20))");
        admin.execute("INSERT INTO ADMIN_T VALUES (1, 'one')");
    }

    @AfterAll
    static void stop() {
        for (TetraClient c : new TetraClient[]{reader, user, admin}) {
            if (c != null) {
                c.close();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void rolesAreReported() {
        assertThat(admin.role()).isEqualTo(Role.ADMIN);
        assertThat(user.role()).isEqualTo(Role.USER);
        assertThat(reader.role()).isEqualTo(Role.READER);
    }

    @Test
    void userReadsWritesAndChangesStructureOfTablesItDidNotCreate() {
        assertThat(user.execute("SELECT V FROM ADMIN_T WHERE ID = 1").rows().get(0).getString(0)).isEqualTo("one");
        user.execute("CREATE TABLE USER_T(ID INT)");
        assertThat(user.update("INSERT INTO USER_T VALUES (1), (2)")).isEqualTo(2);
        assertThat(user.update("UPDATE ADMIN_T SET V = 'uno' WHERE ID = 1")).isEqualTo(1);
        user.execute("ALTER TABLE USER_T ADD COLUMN NAME VARCHAR(10)");
        user.execute("CREATE SCHEMA APP_SCHEMA");
        user.execute("CREATE TABLE APP_SCHEMA.T2(X INT)");
        assertThat(admin.execute("SELECT COUNT(*) FROM USER_T").rows().get(0).getLong(0)).isEqualTo(2L);
    }

    @Test
    void readerReadsEverySchemaButCannotWrite() {
        user.execute("CREATE SCHEMA IF NOT EXISTS READ_SCHEMA");
        user.execute("CREATE TABLE IF NOT EXISTS READ_SCHEMA.R(X INT)");
        user.execute("INSERT INTO READ_SCHEMA.R VALUES (5)");
        assertThat(reader.execute("SELECT X FROM READ_SCHEMA.R").rows().get(0).getInt(0)).isEqualTo(5);
        assertThat(reader.execute("SELECT COUNT(*) FROM ADMIN_T").rows().get(0).getLong(0)).isEqualTo(1L);
        for (String sql : new String[]{"INSERT INTO ADMIN_T VALUES (9, 'x')", "UPDATE ADMIN_T SET V = 'x'",
                "DELETE FROM ADMIN_T", "CREATE TABLE READER_T(A INT)", "DROP TABLE ADMIN_T", "TRUNCATE TABLE ADMIN_T"}) {
            // Twice: the second time the server may know the text already; it is refused all the same.
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> reader.execute(sql)).as(sql)
                        .isInstanceOfSatisfying(TetraException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE));
            }
        }
        admin.execute("CREATE SEQUENCE IF NOT EXISTS READER_SEQ");
        assertThatThrownBy(() -> reader.execute("SELECT NEXT VALUE FOR READER_SEQ"))
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE));
        assertThat(admin.execute("SELECT COUNT(*) FROM ADMIN_T").rows().get(0).getLong(0)).isEqualTo(1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "CREATE ALIAS MY_EXEC FOR 'java.lang.Runtime.getRuntime'",
            "CREATE TRIGGER TRG BEFORE INSERT ON ADMIN_T FOR EACH ROW CALL 'org.h2.tools.TriggerAdapter'",
            "BACKUP TO 'stolen.zip'",
            "SCRIPT TO 'stolen.sql'",
            "RUNSCRIPT FROM 'evil.sql'",
            "CALL CSVWRITE('stolen.csv', 'SELECT * FROM ADMIN_T')",
            "SELECT FILE_READ('/etc/passwd')",
            "SELECT * FROM CSVREAD('/etc/passwd')",
            "CALL FILE_WRITE('x', 'written.txt')",
            "CALL LINK_SCHEMA('L', '', 'jdbc:h2:mem:x', 'sa', '', 'PUBLIC')",
            "CREATE LINKED TABLE LT('', 'jdbc:h2:mem:x', 'sa', '', 'T')",
            "SHUTDOWN",
            "CREATE USER HACKER PASSWORD 'x'",
            "SET WRITE_DELAY 0"})
    void dangerousFeaturesAreRefusedForNonAdmins(String sql) {
        for (TetraClient c : new TetraClient[]{user, reader}) {
            assertThatThrownBy(() -> c.execute(sql)).as(sql + " as " + c.role())
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE));
        }
        assertThat(Files.exists(Path.of("stolen.zip"))).isFalse();
        assertThat(Files.exists(Path.of("stolen.csv"))).isFalse();
        assertThat(user.execute("SELECT 1").rows()).hasSize(1);
    }

    @Test
    void shutdownIsRefusedEvenForAdmins() {
        assertThatThrownBy(() -> admin.execute("SHUTDOWN"))
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE));
        assertThat(admin.execute("SELECT COUNT(*) FROM ADMIN_T").rows()).hasSize(1);
    }

    @Test
    void adminApiNeedsTheAdminRole() {
        for (TetraClient c : new TetraClient[]{user, reader}) {
            assertThatThrownBy(() -> c.admin().status())
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
            assertThatThrownBy(() -> c.admin().addUser("x1", Role.ADMIN, "password-x".toCharArray()))
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
        }
        assertThat(admin.admin().users()).extracting(u -> u.getName()).doesNotContain("x1");
    }
}
