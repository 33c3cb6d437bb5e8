package io.tetradb.testcontainers;

import com.github.dockerjava.api.command.BuildImageCmd;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.shaded.com.github.dockerjava.core.command.BuildImageCmdImpl;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the container tests would send to Docker as the build context, checked without
 * a Docker engine: the build command that {@link TetraImage} configures is run up to the
 * point where the context tar is made (by the docker-java code inside Testcontainers,
 * .dockerignore included), and the tar is compared with what docker/Dockerfile needs.
 */
@Timeout(120)
class DockerBuildContextTest {
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    @Test
    void theContextIsTheRepositoryWithoutBuildOutputAndHoldsWhatTheDockerfileCopies() throws Exception {
        Path repo = TetraImage.repository();
        BuildImageCmd.Exec noEngine = (BuildImageCmd.Exec) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{BuildImageCmd.Exec.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException("no Docker engine in this test");
                });
        BuildImageCmdImpl cmd = new BuildImageCmdImpl(noEngine);
        TetraImage.buildContext(repo).accept(cmd);

        assertThat(cmd.getPathToDockerfile()).isEqualTo("docker/Dockerfile");
        List<String> entries = new ArrayList<>();
        try (InputStream raw = new BufferedInputStream(cmd.getTarInputStream());
             TarArchiveInputStream tar = new TarArchiveInputStream(gunzipIfNeeded(raw))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries.add(e.getName().replace('\\', '/'));
            }
        } finally {
            cmd.close();
        }

        assertThat(entries).contains("docker/Dockerfile", "pom.xml", "docker/entrypoint.sh",
                "server/src/main/java/io/tetradb/server/ServerMain.java",
                "protocol/src/main/proto/tetra.proto");
        // docker-java adds empty folders without looking at .dockerignore (the docker CLI
        // does not): an empty target/generated-sources/annotations/ may come along, no file.
        assertThat(entries).as("no build output, no git history").noneMatch(n -> !n.endsWith("/")
                && (n.startsWith(".git/") || n.startsWith("target/") || n.contains("/target/")));

        // The reactor needs every module's POM, even with -pl.
        String parentPom = Files.readString(repo.resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher m = MODULE.matcher(parentPom);
        while (m.find()) {
            assertThat(entries).contains(m.group(1) + "/pom.xml");
        }

        // Every COPY from the context (not --from=build) finds its sources there.
        List<String> sources = new ArrayList<>();
        for (String line : Files.readAllLines(repo.resolve("docker/Dockerfile"), StandardCharsets.UTF_8)) {
            String l = line.trim();
            if (l.startsWith("COPY ") && !l.contains("--from=")) {
                List<String> words = new ArrayList<>(Arrays.asList(l.substring(5).trim().split("\\s+")));
                words.remove(words.size() - 1);
                sources.addAll(words);
            }
        }
        assertThat(sources).isNotEmpty();
        for (String s : sources) {
            if (s.equals(".")) {
                continue;
            }
            assertThat(entries).as("COPY source %s", s).anyMatch(n -> n.equals(s) || n.startsWith(s + "/"));
        }
    }

    private static InputStream gunzipIfNeeded(InputStream in) throws Exception {
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in) : in;
    }
}
