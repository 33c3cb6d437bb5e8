package io.tetradb.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaults() {
        ServerConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.port()).isEqualTo(19813);
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.maxFrameSize()).isEqualTo(16 * 1024 * 1024);
        assertThat(c.databaseName()).isEqualTo("tetra");
        assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.logCheckpointInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theCheckpointIntervalIsSetAndBounded() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("log.checkpointInterval", "5s")).logCheckpointInterval())
                .isEqualTo(Duration.ofSeconds(5));
        for (String bad : new String[]{"10ms", "2h", "often"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("log.checkpointInterval", bad)))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("log.checkpointInterval");
        }
    }

    @Test
    void yamlThenEnvironmentThenFlags() throws Exception {
        Path yml = dir.resolve("tetra.yml");
        Files.writeString(yml, "port: 20000\nhost: 127.0.0.1\nmaxFrameSize: 1m\nshutdownTimeout: 5s\nworkerThreads: 4\n");
        ServerConfig c = ConfigLoader.load(yml, Map.of("TETRA_PORT", "20001", "TETRA_WORKER_THREADS", "6",
                "TETRA_PASSWORD", "ignored-client-variable"), Map.of("port", "20002"));
        assertThat(c.port()).isEqualTo(20002);
        assertThat(c.workerThreads()).isEqualTo(6);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.maxFrameSize()).isEqualTo(1024 * 1024);
        assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ConfigLoader.envName("dataDir")).isEqualTo("TETRA_DATA_DIR");
        assertThat(ConfigLoader.flagToKey("--data-dir")).isEqualTo("dataDir");
    }

    @Test
    void limitsAreDottedKeysFromNestedYamlEnvironmentAndFlags() throws Exception {
        ServerConfig d = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(d.statementTimeout(io.tetradb.protocol.Role.ADMIN)).isZero();
        assertThat(d.statementTimeout(io.tetradb.protocol.Role.USER)).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.statementTimeout(io.tetradb.protocol.Role.READER)).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.sessionOutputBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(d.sessionOutputRows()).isEqualTo(100_000);
        assertThat(d.cursorsPerSession()).isEqualTo(64);
        assertThat(d.requestBytesInFlight()).isEqualTo(32L * 1024 * 1024);
        assertThat(d.statementsPerUser()).isEqualTo(8);

        Path yml = dir.resolve("tetra.yml");
        Files.writeString(yml, "limits:\n  statementTimeout:\n    user: 30s\n    admin: 1h\n"
                + "  cursorsPerSession: 5\nlimits.sessionOutputBytes: 1m\n");
        ServerConfig c = ConfigLoader.load(yml, Map.of("TETRA_LIMITS_STATEMENT_TIMEOUT_READER", "none",
                "TETRA_LIMITS_STATEMENTS_PER_USER", "3"), Map.of("limits.sessionOutputRows", "500"));
        assertThat(c.statementTimeout(io.tetradb.protocol.Role.USER)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.statementTimeout(io.tetradb.protocol.Role.ADMIN)).isEqualTo(Duration.ofHours(1));
        assertThat(c.statementTimeout(io.tetradb.protocol.Role.READER)).isZero();
        assertThat(c.cursorsPerSession()).isEqualTo(5);
        assertThat(c.sessionOutputBytes()).isEqualTo(1024 * 1024);
        assertThat(c.statementsPerUser()).isEqualTo(3);
        assertThat(c.sessionOutputRows()).isEqualTo(500);
        assertThat(ConfigLoader.envName("limits.statementTimeout.user")).isEqualTo("TETRA_LIMITS_STATEMENT_TIMEOUT_USER");

        Files.writeString(yml, "limits:\n  cursorsPerSesion: 5\n");
        assertThatThrownBy(() -> ConfigLoader.load(yml, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.cursorsPerSesion");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("limits.cursorsPerSession", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.cursorsPerSession");
    }

    @Test
    void anUnknownKeyInTheFileIsNamed() throws Exception {
        Path yml = dir.resolve("tetra.yml");
        Files.writeString(yml, "port: 20000\nprot: 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(yml, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("prot");
    }

    @Test
    void badValuesAreNamed() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TETRA_PORT", "eighty"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TETRA_PORT");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("port", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("shutdownTimeout", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("shutdownTimeout");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("maxFrameSize", "10")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("maxFrameSize");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("adminPassword", "short")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("adminPassword");
        Path notYaml = dir.resolve("bad.yml");
        Files.writeString(notYaml, "port: [1, 2\n");
        assertThatThrownBy(() -> ConfigLoader.load(notYaml, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bad.yml");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yml"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing.yml");
    }

    @Test
    void dottedKeysFromNestedYamlFlatYamlEnvironmentAndFlags() throws Exception {
        Path yml = dir.resolve("tetra.yml");
        Files.writeString(yml, "limits:\n  handshakes: 32\n  handshakeTimeout: 3s\nlimits.handshakeFrameSize: 8k\n");
        ServerConfig c = ConfigLoader.load(yml, Map.of("TETRA_LIMITS_HANDSHAKES_PER_ADDRESS", "4"),
                Map.of("limits.authFailureHalfLife", "2m"));
        assertThat(c.handshakes()).isEqualTo(32);
        assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.handshakeFrameSize()).isEqualTo(8 * 1024);
        assertThat(c.handshakesPerAddress()).isEqualTo(4);
        assertThat(c.authFailureHalfLife()).isEqualTo(Duration.ofMinutes(2));
        assertThat(ConfigLoader.envName("limits.handshakesPerAddress")).isEqualTo("TETRA_LIMITS_HANDSHAKES_PER_ADDRESS");

        ServerConfig d = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(d.handshakes()).isEqualTo(128);
        assertThat(d.handshakesPerAddress()).isEqualTo(32);
        assertThat(d.handshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.handshakeFrameSize()).isEqualTo(16 * 1024);

        Path nestedUnknown = dir.resolve("unknown.yml");
        Files.writeString(nestedUnknown, "limits:\n  handshakez: 3\n");
        assertThatThrownBy(() -> ConfigLoader.load(nestedUnknown, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.handshakez");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("limits.handshakeFrameSize", "32m")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.handshakeFrameSize");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("limits.handshakesPerAddress", "129")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.handshakesPerAddress");
    }

    @Test
    void sqlEngineAdminIsOffByDefaultAndSetByNestedYamlDottedKeyEnvironmentOrFlag() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).sqlEngineAdmin()).isFalse();
        Path nested = dir.resolve("nested.yml");
        Files.writeString(nested, "port: 20000\nsql:\n  engineAdmin: true\n");
        assertThat(ConfigLoader.load(nested, Map.of(), Map.of()).sqlEngineAdmin()).isTrue();
        Path dotted = dir.resolve("dotted.yml");
        Files.writeString(dotted, "sql.engineAdmin: true\n");
        assertThat(ConfigLoader.load(dotted, Map.of(), Map.of()).sqlEngineAdmin()).isTrue();
        assertThat(ConfigLoader.envName("sql.engineAdmin")).isEqualTo("TETRA_SQL_ENGINE_ADMIN");
        assertThat(ConfigLoader.load(null, Map.of("TETRA_SQL_ENGINE_ADMIN", "true"), Map.of()).sqlEngineAdmin())
                .isTrue();
        assertThat(ConfigLoader.load(nested, Map.of(), Map.of("sql.engineAdmin", "false")).sqlEngineAdmin())
                .isFalse();
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, "sql:\n  engineAdmin: maybe\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sql.engineAdmin");
        Path unknown = dir.resolve("unknown.yml");
        Files.writeString(unknown, "sql:\n  engineAdmn: true\n");
        assertThatThrownBy(() -> ConfigLoader.load(unknown, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sql.engineAdmn");
    }
}
