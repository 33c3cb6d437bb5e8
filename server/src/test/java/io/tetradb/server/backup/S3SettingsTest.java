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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code destination: s3://bucket/prefix} and the {@code s3} keys of backup.yml (docs/s3-destinations.md). */
@Timeout(30)
class S3SettingsTest {
    private static final DataLayout LAYOUT = new DataLayout(Path.of("/tmp/does-not-matter/db"));

    private static BackupSettings empty() {
        return BackupSettings.parse(null, LAYOUT);
    }

    private static BackupSettings reloaded(BackupSettings s) throws Exception {
        return BackupSettings.parse(new ObjectMapper(new YAMLFactory()).readTree(s.toYaml()), LAYOUT);
    }

    private static void refused(String key, String value, String why) {
        assertThatThrownBy(() -> empty().setAll(List.of(new String[] {"destination", "s3://b/p"},
                new String[] {key, value}))).isInstanceOfSatisfying(TetraException.class, t -> {
                    assertThat(t.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(t.getMessage()).contains(key, why);
                });
    }

    @Test
    void aBucketAndPrefixWithTheirConnection() throws Exception {
        BackupSettings s = empty().setAll(List.of(new String[] {"destination", "s3://shop-backups/tetra/shop/"},
                new String[] {"s3.endpoint", "http://127.0.0.1:9000"}, new String[] {"s3.pathStyle", "true"},
                new String[] {"s3.credentialsFile", "/etc/tetra/s3-credentials"}));
        for (BackupSettings x : List.of(s, reloaded(s))) {
            S3ArchiveStore.Location l = x.s3();
            assertThat(l.bucket()).isEqualTo("shop-backups");
            assertThat(l.prefix()).isEqualTo("tetra/shop/");
            assertThat(l.endpoint()).isEqualTo("http://127.0.0.1:9000");
            assertThat(l.region()).isEqualTo("us-east-1");
            assertThat(l.pathStyle()).isTrue();
            assertThat(l.credentialsFile()).isEqualTo(Path.of("/etc/tetra/s3-credentials"));
            assertThat(x.destinationText()).isEqualTo("s3://shop-backups/tetra/shop");
            assertThat(x.store().remote()).isTrue();
            assertThat(x.store().location("shop-0001.tar.zst")).isEqualTo("s3://shop-backups/tetra/shop/shop-0001.tar.zst");
            // Archives are staged beside the database before their upload.
            assertThat(x.destination()).isEqualTo(LAYOUT.root().resolveSibling("db-backup-staging"));
            assertThat(x.asJson().path("s3").path("pathStyle").asBoolean()).isTrue();
        }
        BackupSettings bare = empty().set("destination", "s3://b");
        assertThat(bare.s3().prefix()).isEmpty();
        assertThat(bare.store().location("x")).isEqualTo("s3://b/x");
        assertThat(empty().s3()).isNull();
        assertThat(empty().store().remote()).isFalse();
    }

    @Test
    void badValuesAreRefusedWithTheKeyNamed() {
        refused("s3.endpoint", "ftp://host", "http or https URL");
        refused("s3.endpoint", "http://user:pw@host", "without user");
        refused("s3.region", "Not A Region", "not a region name");
        refused("s3.pathStyle", "maybe", "true or false");
        refused("s3.credentialsFile", "relative/file", "absolute path");
        // Inside the database folder it would be archived with the settings.
        refused("s3.credentialsFile", "/tmp/does-not-matter/db/Settings/s3", "outside the database folder");
        refused("s3.secret", "x", "unknown setting");
        assertThatThrownBy(() -> empty().set("destination", "s3://")).hasMessageContaining("does not name a bucket");
        assertThatThrownBy(() -> empty().set("destination", "s3://b/a/../c")).hasMessageContaining(". or ..");
    }

    private static void prefixRefused(String url, String why) {
        for (String key : List.of("destination", "destinations")) {
            String value = key.equals("destination") ? url : "['/backups/here', '" + url + "']";
            assertThatThrownBy(() -> empty().set(key, value)).as(url).isInstanceOfSatisfying(TetraException.class, t -> {
                assertThat(t.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(t.getMessage()).contains(key, "the prefix of", why);
            });
        }
    }

    @Test
    void aPrefixWithDotDotOrOddCharactersIsRefusedNamingTheCharacter() {
        prefixRefused("s3://b/..", ". or ..");
        prefixRefused("s3://b/tetra/../../etc", ". or ..");
        prefixRefused("s3://b/./x", ". or ..");
        prefixRefused("s3://b/a//b", ". or ..");
        prefixRefused("s3://b/shop db", "U+0020 (a space)");
        prefixRefused("s3://b/a\\b", "'\\' (U+005C)");
        prefixRefused("s3://b/a%2e%2e", "'%' (U+0025)");
        prefixRefused("s3://b/a?x=1", "'?' (U+003F)");
        prefixRefused("s3://b/a#frag", "'#' (U+0023)");
        prefixRefused("s3://b/caf\u00e9", "'\u00e9' (U+00E9)");
        prefixRefused("s3://b/a\tb", "U+0009");
        // A control character is shown escaped, never written raw into the message.
        assertThatThrownBy(() -> empty().set("destination", "s3://b/a\nb")).satisfies(t -> assertThat(t.getMessage())
                .contains("s3://b/a\\u000Ab", "U+000A").doesNotContain("\n"));
        prefixRefused("s3://b/" + "p".repeat(513), "longer than 512 characters");
        // What a prefix may hold.
        assertThat(empty().set("destination", "s3://b/Tetra_Backups/shop-1/date=2026.12").s3().prefix())
                .isEqualTo("Tetra_Backups/shop-1/date=2026.12/");
        assertThat(empty().set("destination", "s3://b/" + "p".repeat(512)).s3().prefix()).hasSize(513);
    }

    @Test
    void theCredentialsFileIsReadInTheAwsFormat() {
        assertThat(S3ArchiveStore.parseCredentials(List.of("# comment", "[other]", "aws_access_key_id = o",
                "[default]", "aws_access_key_id = AK", "AWS_Secret_Access_Key=SE"))).isEqualTo(
                Map.of("aws_access_key_id", "AK", "aws_secret_access_key", "SE"));
        assertThat(S3ArchiveStore.parseCredentials(List.of("aws_access_key_id=A", "aws_secret_access_key=B")))
                .containsEntry("aws_secret_access_key", "B");
    }
}
