package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code destinations:} of backup.yml (docs/backups.md, "Several destinations"). */
@Timeout(30)
class DestinationsSettingsTest {
    private static final DataLayout LAYOUT = new DataLayout(Path.of("/tmp/does-not-matter/db"));

    private static BackupSettings empty() {
        return BackupSettings.parse(null, LAYOUT);
    }

    private static BackupSettings reloaded(BackupSettings s) throws Exception {
        return BackupSettings.parse(new ObjectMapper(new YAMLFactory()).readTree(s.toYaml()), LAYOUT);
    }

    private static void refused(String key, String why, String[]... assignments) {
        assertThatThrownBy(() -> empty().setAll(List.of(assignments))).isInstanceOfSatisfying(TetraException.class, t -> {
            assertThat(t.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(t.getMessage()).contains("backup setting " + key, why);
        });
    }

    @Test
    void aFolderAndABucketInTheOrderSet() throws Exception {
        BackupSettings s = empty().setAll(List.<String[]>of(new String[] {"destinations", "[archives, s3://b/p/]"},
                new String[] {"s3.endpoint", "http://127.0.0.1:9000"}));
        for (BackupSettings x : List.of(s, reloaded(s))) {
            assertThat(x.targets()).extracting(BackupSettings.Target::text)
                    .containsExactly(LAYOUT.root().resolve("archives").toString(), "s3://b/p");
            // Written in the folder, copied to the bucket.
            assertThat(x.destination()).isEqualTo(LAYOUT.root().resolve("archives"));
            assertThat(x.s3()).isNull();
            assertThat(x.store()).isInstanceOf(MultiArchiveStore.class);
            assertThat(x.destinationText()).isEqualTo(LAYOUT.root().resolve("archives") + ", s3://b/p");
            assertThat(x.asJson().path("destinations")).hasSize(2);
        }
    }

    @Test
    void bucketsOnlyAreStagedBesideTheDatabaseAndOneEntryIsOneDestination() {
        BackupSettings s = empty().set("destinations", "[s3://a, s3://b/x]");
        assertThat(s.destination()).isEqualTo(LAYOUT.root().resolveSibling("db-backup-staging"));
        assertThat(s.s3().bucket()).isEqualTo("a");
        BackupSettings one = empty().set("destinations", "[/backups/one]");
        assertThat(one.store()).isInstanceOf(LocalArchiveStore.class);
        assertThat(one.destination()).isEqualTo(Path.of("/backups/one"));
    }

    @Test
    void refusals() {
        refused("destination", "together with destinations", new String[] {"destination", "/a"},
                new String[] {"destinations", "[/b, /c]"});
        refused("destinations", "twice", new String[] {"destinations", "[/b, /b/]"});
        refused("destinations", "must be a list", new String[] {"destinations", "/b"});
        refused("destinations", "every entry", new String[] {"destinations", "[/b, 3]"});
        refused("destinations", "does not name a bucket", new String[] {"destinations", "[/b, s3://]"});
        // An empty list is no list: destination applies.
        assertThat(empty().setAll(List.<String[]>of(new String[] {"destination", "/a"},
                new String[] {"destinations", "[]"})).destination()).isEqualTo(Path.of("/a"));
    }
}
