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
