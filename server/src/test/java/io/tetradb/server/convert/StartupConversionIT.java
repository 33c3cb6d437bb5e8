package io.tetradb.server.convert;

import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ConfigException;
import io.tetradb.server.config.ConfigLoader;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.tetradb.server.convert.ConversionIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server's start with a data file an older H2 wrote: {@code conversion: ask} refuses
 * and names the command, {@code never} refuses, {@code auto} converts and serves; a newer
 * format is always refused; the first open after {@code --no-startup-hooks} runs none.
 */
@Timeout(300)
class StartupConversionIT {
    @TempDir
    Path dir;

    private Path legacyFolder(String name) throws Exception {
        Path db = dir.resolve(name);
        Files.createDirectories(db.resolve("Data"));
        LegacyDatabases.create14("jdbc:h2:file:" + db.resolve("Data").resolve(name), 25);
        return db;
    }

    private static ConversionException startFailure(ServerConfig config) {
        try (TetraServer started = TetraServer.start(config)) {
            throw new AssertionError("the server started on port " + started.boundPort());
        } catch (ConversionException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a ConversionException, got " + e, e);
        }
    }

    @Test
    void askAndNeverRefuseToStartAndSayWhichCommandConverts() throws Exception {
        Path db = legacyFolder("shop");
        String hash = sha256(db.resolve("Data/shop.mv.db"));
        ConversionException ask = startFailure(TestServers.config(dir).dataDir(db).build());
        assertThat(ask.rawCode()).isEqualTo(1430);
        assertThat(ask.getMessage()).contains("file format 1 (H2 1.4.x, MVStore)").contains("conversion: ask");
        assertThat(ask.advice()).contains("tetra-admin convert " + db + " --yes").contains("conversion: auto");

        ConversionException never = startFailure(TestServers.config(dir).dataDir(db)
                .conversion(ServerConfig.Conversion.NEVER).build());
        assertThat(never.rawCode()).isEqualTo(1430);
        assertThat(never.getMessage()).contains("conversion: never");
        assertThat(never.advice()).contains("tetra-admin convert " + db + " --yes");
        assertThat(sha256(db.resolve("Data/shop.mv.db"))).isEqualTo(hash);
        assertThat(db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES)).doesNotExist();
    }

    @Test
    void autoConvertsAtStartThenServes() throws Exception {
        Path db = legacyFolder("auto");
        try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(db)
                .conversion(ServerConfig.Conversion.AUTO).build());
             TetraClient admin = TestServers.admin(server)) {
            assertThat(admin.execute("SELECT COUNT(*) FROM CUSTOMER").rows().get(0).getLong(0)).isEqualTo(25L);
            assertThat(admin.execute("SELECT NAME FROM SALES.REGION WHERE ID = 3").rows().get(0).getString(0))
                    .isEqualTo("Ελλάδα");
        }
        assertThat(FormatDetector.detect(db.resolve("Data/auto.mv.db"))).isEqualTo(DataFileFormat.mvStore(3));
        assertThat(db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES).resolve("auto.mv.db")).exists();
        assertThat(db.resolve("Logs").resolve(ConversionLog.FILE_NAME)).content().contains("verified");
    }

    @Test
    void aNewerFormatIsRefusedWhateverTheSetting() throws Exception {
        Path db = dir.resolve("future");
        Files.createDirectories(db.resolve("Data"));
        Files.write(db.resolve("Data/future.mv.db"), FormatDetectorTest.mvHeader(5));
        ConversionException e = startFailure(TestServers.config(dir).dataDir(db)
                .conversion(ServerConfig.Conversion.AUTO).build());
        assertThat(e.rawCode()).isEqualTo(1435);
        assertThat(e.getMessage()).contains("file format 5").contains("opens file format 3");
    }

    @Test
    void theFirstOpenAfterNoStartupHooksRunsNone() throws Exception {
        Path db = legacyFolder("hooks");
        DatabaseConverter converter = new DatabaseConverter(LegacyDatabases.engines());
        converter.convert(converter.plan(db, ConversionOptions.builder().noStartupHooks(true).build()),
                ConversionListener.none());
        assertThat(db.resolve("Structure").resolve(DatabaseConverter.RECORD_FILE)).content()
                .contains("\"startupHooksAtFirstOpen\" : false").contains("\"firstOpenDone\" : false");
        try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(db).build())) {
            assertThat(server.startupHooksAllowed()).isFalse();
        }
        assertThat(db.resolve("Structure").resolve(DatabaseConverter.RECORD_FILE)).content()
                .contains("\"firstOpenDone\" : true");
        try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(db).build())) {
            assertThat(server.startupHooksAllowed()).isTrue();
        }
    }

    @Test
    void theSettingIsValidatedAndReadFromTheEnvironment() {
        assertThat(ServerConfig.builder().build().conversion()).isEqualTo(ServerConfig.Conversion.ASK);
        assertThat(ConfigLoader.load(null, Map.of("TETRA_CONVERSION", "auto"), Map.of()).conversion())
                .isEqualTo(ServerConfig.Conversion.AUTO);
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("conversion", "NEVER")).conversion())
                .isEqualTo(ServerConfig.Conversion.NEVER);
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("conversion", "sometimes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("conversion")
                .hasMessageContaining("ask, auto, never");
    }
}
