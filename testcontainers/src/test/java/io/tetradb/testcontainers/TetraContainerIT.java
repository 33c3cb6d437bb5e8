package io.tetradb.testcontainers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.protocol.BackupRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The image built from {@code docker/Dockerfile}, run by Testcontainers: it starts,
 * answers the client library, runs as a non-root user, becomes healthy; a backup started
 * from a remote client while another reads, a queued write cancelled (-9976), a
 * {@code docker stop} during a backup, and a second container on the same named volumes
 * that finds the data, the archive and the last-backup information.
 *
 * <p>Skipped where no Docker engine runs ({@code disabledWithoutDocker}); the same steps
 * run everywhere as processes in {@link ImageEntrypointIT}.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(1200)
class TetraContainerIT {
    private static final Logger LOG = LoggerFactory.getLogger(TetraContainerIT.class);
    private static final String PASSWORD = "container-admin-pw";

    private final String dataVolume = "tetra-it-data-" + UUID.randomUUID();
    private final String backupVolume = "tetra-it-backups-" + UUID.randomUUID();
    private final List<TetraContainer> containers = new ArrayList<>();

    private TetraContainer start() {
        TetraContainer c = new TetraContainer(TetraImage.fromRepository())
                .withAdminPassword(PASSWORD)
                .withDatabaseName("shop")
                .withDataVolume(dataVolume)
                .withBackupVolume(backupVolume)
                .withEnv("JAVA_OPTS", "-Xmx256m -XX:+ExitOnOutOfMemoryError")
                .withLogConsumer(new Slf4jLogConsumer(LOG).withPrefix("tetra"));
        containers.add(c);
        c.start();
        return c;
    }

    @AfterEach
    void removeContainersAndVolumes() {
        containers.forEach(TetraContainer::stop);
        DockerClient docker = DockerClientFactory.instance().client();
        for (String v : List.of(dataVolume, backupVolume)) {
            try {
                docker.removeVolumeCmd(v).exec();
            } catch (NotFoundException ignored) {
                // never created
            }
        }
    }

    @Test
    void theImageStartsAnswersRunsAsNonRootAndBecomesHealthy() throws Exception {
        TetraContainer tetra = start();
        assertThat(tetra.getHost()).isNotBlank();
        assertThat(tetra.getPort()).isPositive();
        try (TetraClient client = tetra.client()) {
            assertThat(client.databaseName()).isEqualTo("shop");
            assertThat(client.execute("SELECT 6 * 7").rows().get(0).getInt(0)).isEqualTo(42);
            assertThat(client.admin().status().getDataDir()).isEqualTo("/var/lib/tetra/shop");
        }

        ExecResult uid = tetra.execInContainer("id", "-u");
        assertThat(uid.getStdout().trim()).isEqualTo("10001");
        ExecResult admin = tetra.execInContainer("sh", "-c",
                "TETRA_PASSWORD='" + PASSWORD + "' tetra-admin status --json");
        assertThat(admin.getExitCode()).as(admin.getStderr()).isZero();
        assertThat(admin.getStdout()).contains("\"database\"").contains("shop");

        await().atMost(120, TimeUnit.SECONDS).until(() ->
                "healthy".equals(tetra.getCurrentContainerInfo().getState().getHealth().getStatus()));
    }

    @Test
    void backupWhileReadingCancelledWriteDockerStopDuringABackupAndASecondContainer() throws Exception {
        TetraContainer first = start();
        BackupRecord backup1;
        TetraFuture<Result> queued;
        try (TetraClient admin = first.client(); TetraClient reader = first.client();
             TetraClient writer = first.client()) {
            BackupScenario.fill(admin);
            backup1 = BackupScenario.backupWhileReadingWithACancelledWrite(admin, reader, writer);
            assertThat(backup1.getArchive()).isEqualTo("/backups/shop-0001.tar.zst");
            ExecResult ls = first.execInContainer("stat", "-c", "%s", "/backups/shop-0001.tar.zst");
            assertThat(ls.getStdout().trim()).isEqualTo(String.valueOf(backup1.getArchiveSize()));

            queued = BackupScenario.startABackupAndQueueAWrite(admin, writer, backup1.getNumber());
            assertThat(first.stopGracefully(Duration.ofSeconds(90))).as("exit code after SIGTERM").isIn(0L, 143L);
            BackupScenario.theQueuedWriteWasAnswered(queued);
        }

        TetraContainer second = start();
        try (TetraClient admin = second.client()) {
            BackupScenario.afterTheRestart(admin, backup1, 2);
        }
        ExecResult ls = second.execInContainer("ls", "/backups");
        assertThat(ls.getStdout().lines()).contains("shop-0001.tar.zst", "shop-0003.tar.zst")
                .noneMatch(n -> n.contains("0002"));
    }
}
