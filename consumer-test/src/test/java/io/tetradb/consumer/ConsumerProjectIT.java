package io.tetradb.consumer;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.Role;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builds the example user project {@code src/test/consumer} as a user's build would: copied
 * into a folder outside the repository, with its own pom that depends on tetra-client,
 * tetra-jdbc and tetra-testcontainers, built by a nested {@code mvn -B verify} whose tests talk
 * to a real server started here.
 *
 * <p>The nested build's local repository is {@code target/consumer-repo}, into which this
 * module's pom has installed (maven-install-plugin's install-file, pre-integration-test) exactly
 * what {@code mvn install} installs for a user: tetra-parent and the four library artifacts of
 * this build. Everything else it takes from this build's own local repository through a
 * {@code file://} mirror, so it downloads nothing and writes nothing into the shared one. Its
 * output goes to {@code target/consumer-build.log}, and into the failure message when it fails.
 * Run by JUnit's thread; the nested Maven is a child process of it.
 */
@Timeout(600)
class ConsumerProjectIT {
    /** The artifacts a user installs, as directories of the local repository under io/tetradb. */
    private static final List<String> INSTALLED =
            List.of("tetra-client", "tetra-jdbc", "tetra-parent", "tetra-protocol", "tetra-testcontainers");
    private static final String USER = "shop";
    private static final String PASSWORD = "shop-password";

    @TempDir
    Path temp;

    @Test
    void exampleProjectBuildsAndRunsAgainstTheInstalledArtifacts() throws Exception {
        String version = property("tetra.version");
        Path source = Path.of("src/test/consumer").toAbsolutePath();
        assertThat(Files.readString(source.resolve("pom.xml")))
                .as("the example's pom shows the version users depend on")
                .contains("<tetra.version>" + version + "</tetra.version>");
        Path repo = Path.of(property("tetra.consumer.repo"));
        for (String artifact : INSTALLED) {
            assertThat(artifactDir(repo, artifact, version)).as("installed into the consumer repository (pre-integration-test)")
                    .isDirectory();
        }

        try (TetraServer server = TestServers.start(temp.resolve("server"))) {
            try (TetraClient admin = TestServers.admin(server)) {
                admin.admin().addUser(USER, Role.USER, PASSWORD.toCharArray());
            }
            Path project = copy(source, temp.resolve("consumer-project"));
            Path log = Path.of(property("tetra.consumer.log"));
            int exit = build(project, repo, server.boundPort(), log);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            String tail = tail(output, 200);

            assertThat(exit).as("the nested build's exit code; its output (%s):%n%s", log, tail).isZero();
            assertThat(output).as(tail)
                    .contains("Building tetra-consumer-example 1.0")
                    .contains("Tests run: 5, Failures: 0, Errors: 0, Skipped: 0")
                    .contains("BUILD SUCCESS");
            assertThat(project.resolve("target/tetra-consumer-example-1.0.jar")).isRegularFile();

            // What the example wrote through the client library (the items) and the driver (sugar's quantity).
            try (TetraClient admin = TestServers.admin(server)) {
                List<String> stock = admin.execute("SELECT ITEM, QUANTITY FROM STOCK ORDER BY ITEM").rows().stream()
                        .map(r -> r.getString("ITEM") + "=" + r.getInt("QUANTITY")).toList();
                assertThat(stock).containsExactly("coffee=0", "sugar=5", "tea=0");
            }
            summary(output).forEach(line -> System.out.println("consumer build: " + line));
        }

        // The nested build took Tetra's artifacts from what was installed for it, never from elsewhere.
        try (Stream<Path> dirs = Files.list(repo.resolve("io/tetradb"))) {
            assertThat(dirs.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(INSTALLED);
        }
        assertSameFile(repo, "tetra-parent", version, "pom", Path.of("../pom.xml"));
        for (String module : List.of("protocol", "client", "jdbc", "testcontainers")) {
            String artifact = "tetra-" + module;
            assertSameFile(repo, artifact, version, "pom", Path.of("..", module, "pom.xml"));
            assertSameFile(repo, artifact, version, "jar", Path.of("..", module, "target", artifact + "-" + version + ".jar"));
        }
    }

    /** Runs {@code mvn -B verify} in {@code project}; its command line and output go to {@code log}. */
    private int build(Path project, Path repo, int port, Path log) throws IOException, InterruptedException {
        Path settings = temp.resolve("settings.xml");
        String thirdParty = Path.of(property("tetra.consumer.thirdPartyRepo")).toUri().toString();
        Files.writeString(settings, """
                <settings>
                  <interactiveMode>false</interactiveMode>
                  <mirrors>
                    <!-- Every third-party artifact from the local repository of the build that runs this one. -->
                    <mirror><id>build-local-repository</id><mirrorOf>*</mirrorOf><url>%1$s</url></mirror>
                  </mirrors>
                  <profiles>
                    <!-- Central as the super POM has it (releases only: Tetra's snapshots come from the
                         consumer repository alone), without checksums: a local repository keeps few. -->
                    <profile>
                      <id>local-central</id>
                      <repositories>
                        <repository><id>central</id><url>%1$s</url>
                          <releases><checksumPolicy>ignore</checksumPolicy></releases>
                          <snapshots><enabled>false</enabled></snapshots></repository>
                      </repositories>
                      <pluginRepositories>
                        <pluginRepository><id>central</id><url>%1$s</url>
                          <releases><checksumPolicy>ignore</checksumPolicy></releases>
                          <snapshots><enabled>false</enabled></snapshots></pluginRepository>
                      </pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>local-central</activeProfile></activeProfiles>
                </settings>
                """.formatted(thirdParty));
        List<String> command = new ArrayList<>(List.of(maven().toString(), "-B",
                "-s", settings.toString(), "-gs", settings.toString(),
                "-Dmaven.repo.local=" + repo));
        // The versions this build uses (it has them all in its local repository).
        for (String key : List.of("tetra.version", "junit.version", "compiler-plugin.version",
                "resources-plugin.version", "surefire.version", "jar-plugin.version")) {
            command.add("-D" + key + "=" + property(key));
        }
        command.addAll(List.of("-Dtetra.host=127.0.0.1", "-Dtetra.port=" + port,
                "-Dtetra.user=" + USER, "-Dtetra.password=" + PASSWORD, "verify"));

        Files.createDirectories(log.getParent());
        Files.writeString(log, "# in " + project + "\n# " + String.join(" ", command)
                + "\n# third-party artifacts from " + thirdParty + "\n", StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // A short build: Maven's JVM starts faster without the optimizing compiler.
        pb.environment().putIfAbsent("MAVEN_OPTS", "-XX:TieredStopAtLevel=1");
        Process process = pb.start();
        process.getOutputStream().close();
        if (!process.waitFor(8, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("The nested build did not end within 8 minutes:\n"
                    + tail(Files.readString(log, StandardCharsets.UTF_8), 200));
        }
        return process.exitValue();
    }

    /**
     * The mvn launcher: of the Maven running this build ({@code maven.home}, passed in by the
     * pom), else of {@code MAVEN_HOME}, else the first {@code mvn} on the PATH.
     */
    private static Path maven() {
        String name = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows") ? "mvn.cmd" : "mvn";
        Optional<Path> home = Stream.of(System.getProperty("tetra.consumer.mavenHome"), System.getenv("MAVEN_HOME"))
                .filter(h -> h != null && !h.isBlank() && !h.startsWith("${"))
                .map(h -> Path.of(h, "bin", name)).filter(Files::isExecutable).findFirst();
        return home.or(() -> Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst())
                .orElseThrow(() -> new AssertionError("No Maven found: neither maven.home, MAVEN_HOME nor mvn on the PATH"));
    }

    /** Copies the example project, leaving out a target folder of a build made in place. */
    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(f -> !from.relativize(f).startsWith("target")).toList()) {
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    private static Path artifactDir(Path repo, String artifact, String version) {
        return repo.resolve("io/tetradb").resolve(artifact).resolve(version);
    }

    private static void assertSameFile(Path repo, String artifact, String version, String extension, Path built)
            throws IOException {
        Path installed = artifactDir(repo, artifact, version).resolve(artifact + "-" + version + "." + extension);
        assertThat(installed).as("%s is this build's %s", installed, built).hasSameBinaryContentAs(built);
    }

    private static String property(String key) {
        String value = System.getProperty(key);
        assertThat(value).as("system property %s (set by consumer-test/pom.xml for failsafe)", key).isNotBlank();
        return value;
    }

    /** The last {@code lines} lines of {@code text}. */
    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return all.subList(Math.max(0, all.size() - lines), all.size()).stream().collect(Collectors.joining("\n"));
    }

    /** The lines of the nested build's output worth showing in a report: what was built and how it ended. */
    private static List<String> summary(String output) {
        Pattern keep = Pattern.compile("Building |Tests run:|BUILD |Total time");
        return output.lines().filter(line -> keep.matcher(line).find()).toList();
    }
}
