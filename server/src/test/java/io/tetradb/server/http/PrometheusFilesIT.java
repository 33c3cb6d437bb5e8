package io.tetradb.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus files that docs/ ships ({@code docs/prometheus/}) cannot rot: both parse as
 * YAML (Jackson), every alert rule is complete, every {@code tetra_} name an alert expression
 * uses is a sample a real server's {@code /metrics} has, the scrape configuration points at the
 * port and path the server serves, and docs/http.md shows both files as they are.
 */
@Timeout(120)
class PrometheusFilesIT {
    private static final Pattern METRIC = Pattern.compile("\\btetra_[a-z0-9_]+");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    /** The repository's docs folder (tests run in the module's folder). */
    static Path docs() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("docs").resolve("prometheus"))) {
            p = p.getParent();
        }
        assertThat(p).as("a folder above %s holding docs/prometheus", Path.of("").toAbsolutePath()).isNotNull();
        return p.resolve("docs");
    }

    @Test
    void everyMetricTheAlertRulesUseIsOneTheServerExports() throws Exception {
        JsonNode alerts = YAML.readTree(docs().resolve("prometheus/tetra-alerts.yml").toFile());
        List<String> exprs = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (JsonNode group : alerts.path("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("alert").asText()).as("alert name of %s", rule).isNotBlank();
                assertThat(rule.path("labels").path("severity").asText()).as("severity of %s", rule)
                        .isIn("critical", "warning");
                assertThat(rule.path("annotations").path("summary").asText()).as("summary of %s", rule).isNotBlank();
                String expr = rule.path("expr").asText();
                exprs.add(expr);
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    names.add(m.group());
                }
            }
        }
        assertThat(exprs).hasSize(4).allSatisfy(e -> assertThat(e).containsPattern(METRIC));
        assertThat(alerts.findValuesAsText("alert")).containsExactly("TetraLastSuccessfulBackupTooOld",
                "TetraBackupsFailing", "TetraLogSyncSlow", "TetraWritesQueuedForLong");

        Set<String> exported;
        try (TetraServer server = TestServers.start(dir)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            exported = MetricsIT.scrape(http, server.httpPort()).keySet().stream()
                    .map(k -> k.replaceFirst("\\{.*", "")).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(exported).as("the samples of a fresh server's /metrics").containsAll(names);
    }

    @Test
    void theScrapeConfigurationReadsTheServersPortAndPathAndLoadsTheRules() throws Exception {
        JsonNode config = YAML.readTree(docs().resolve("prometheus/prometheus.yml").toFile());
        assertThat(config.path("rule_files").get(0).asText()).isEqualTo("tetra-alerts.yml");
        JsonNode jobs = config.path("scrape_configs");
        assertThat(jobs).hasSize(2);
        int defaultHttpPort = ServerConfig.builder().dataDir(dir).build().httpPort();
        JsonNode local = jobs.get(0);
        assertThat(local.path("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(local.path("scheme").isMissingNode()).isTrue();
        assertThat(local.path("static_configs").get(0).path("targets").get(0).asText())
                .isEqualTo("127.0.0.1:" + defaultHttpPort);
        JsonNode remote = jobs.get(1);
        assertThat(remote.path("scheme").asText()).isEqualTo("https");
        assertThat(remote.path("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(remote.path("authorization").path("type").asText()).isEqualTo("Bearer");
        assertThat(remote.path("authorization").path("credentials_file").asText()).isNotBlank();
        assertThat(remote.path("static_configs").get(0).path("targets").get(0).asText())
                .endsWith(":" + defaultHttpPort);
    }

    @Test
    void docsHttpShowsBothFilesAsTheyAre() throws Exception {
        String page = Files.readString(docs().resolve("http.md"));
        for (String file : new String[] {"prometheus/tetra-alerts.yml", "prometheus/prometheus.yml"}) {
            String text = Files.readString(docs().resolve(file));
            assertThat(page).as("docs/http.md shows %s in a yaml block", file).contains("```yaml\n" + text + "```\n");
        }
    }
}
