package io.tetradb.testcontainers;

import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;

/**
 * A Tetra server in a Docker container, for tests: the image built from
 * {@code docker/Dockerfile}, started with an admin password, ready when the server says
 * it listens, with a client connected to it on request.
 *
 * <pre>{@code
 * // docker build -f docker/Dockerfile -t tetra .      (once, from Tetra's repository)
 * @Testcontainers
 * class OrderRepositoryTest {
 *     @Container
 *     static final TetraContainer TETRA = new TetraContainer("tetra").withAdminPassword("test-password");
 *
 *     @Test
 *     void savesOrders() {
 *         try (TetraClient client = TETRA.client()) {
 *             client.execute("CREATE TABLE ORDERS(ID INT PRIMARY KEY, ITEM VARCHAR(50))");
 *             client.update("INSERT INTO ORDERS VALUES (?, ?)", 1, "tea");
 *         }
 *         // or with your own settings:
 *         // TetraClient.connect(ClientConfig.builder().host(TETRA.getHost()).port(TETRA.getPort())...)
 *     }
 * }
 * }</pre>
 *
 * <p>The database lives in {@value #DATA_PATH} and backups go to {@value #BACKUP_PATH}:
 * anonymous volumes by default (gone with the container), or named volumes with
 * {@link #withDataVolume} and {@link #withBackupVolume}, so that a second container
 * finds the database, its archives and its last-backup information again.
 * {@link #stop()} kills the container, as Testcontainers does; {@link #stopGracefully}
 * stops it as {@code docker stop} does (SIGTERM: requests in flight answered, a running
 * backup stopped with 1406, the database closed cleanly).
 *
 * <p>Configure it like any container from the test's thread, before {@link #start()};
 * the getters may be called from any thread once it runs.
 */
public class TetraContainer extends GenericContainer<TetraContainer> {
    /** The port the server listens on inside the container. */
    public static final int TETRA_PORT = 19813;
    /** The admin password unless {@link #withAdminPassword} sets another. */
    public static final String DEFAULT_ADMIN_PASSWORD = "tetra-test-password";
    /** The database's name unless {@link #withDatabaseName} sets another. */
    public static final String DEFAULT_DATABASE_NAME = "tetra";
    /** The data volume: it holds the database folder {@code <DATA_PATH>/<database name>}. */
    public static final String DATA_PATH = "/var/lib/tetra";
    /** The backup volume: the backup destination the image sets at the database's first start. */
    public static final String BACKUP_PATH = "/backups";

    private String adminPassword = DEFAULT_ADMIN_PASSWORD;
    private String databaseName = DEFAULT_DATABASE_NAME;
    private final Map<String, String> namedVolumes = new LinkedHashMap<>();

    /** A container of the image {@code image} (for example {@code "tetra"} or {@code "tetra:0.1.0"}). */
    public TetraContainer(String image) {
        this(DockerImageName.parse(image));
    }

    public TetraContainer(DockerImageName image) {
        super(image);
        init();
    }

    /** A container of an image built by the test, for example an {@code ImageFromDockerfile}. */
    public TetraContainer(Future<String> image) {
        super(image);
        init();
    }

    private void init() {
        addExposedPort(TETRA_PORT);
        waitingFor(Wait.forLogMessage(".*Tetra \\S+ is listening on .*\\n", 1)
                .withStartupTimeout(Duration.ofMinutes(2)));
        withCreateContainerCmdModifier(cmd -> {
            if (namedVolumes.isEmpty()) {
                return;
            }
            HostConfig hc = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
            List<Mount> mounts = new ArrayList<>(hc.getMounts() == null ? List.of() : hc.getMounts());
            namedVolumes.forEach((target, name) ->
                    mounts.add(new Mount().withType(MountType.VOLUME).withSource(name).withTarget(target)));
            cmd.withHostConfig(hc.withMounts(mounts));
        });
    }

    @Override
    protected void configure() {
        super.configure();
        addEnv("TETRA_ADMIN_PASSWORD", adminPassword);
        addEnv("TETRA_DATA_DIR", DATA_PATH + "/" + databaseName);
    }

    /**
     * The password of the user {@code admin}, set when the database is created (at its
     * first start; a database found in a named volume keeps its own). At least 8 characters.
     */
    public TetraContainer withAdminPassword(String password) {
        Objects.requireNonNull(password, "password");
        if (password.length() < 8) {
            throw new IllegalArgumentException("The admin password must have at least 8 characters.");
        }
        this.adminPassword = password;
        return self();
    }

    /** The database's name: the name of its folder in the data volume. Default {@value #DEFAULT_DATABASE_NAME}. */
    public TetraContainer withDatabaseName(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("A database name is letters, digits, '_', '.', '-' (at most 64): " + name);
        }
        this.databaseName = name;
        return self();
    }

    /** Keeps the database in the Docker volume {@code volumeName} (created when missing). */
    public TetraContainer withDataVolume(String volumeName) {
        namedVolumes.put(DATA_PATH, Objects.requireNonNull(volumeName, "volumeName"));
        return self();
    }

    /** Keeps the backup archives in the Docker volume {@code volumeName} (created when missing). */
    public TetraContainer withBackupVolume(String volumeName) {
        namedVolumes.put(BACKUP_PATH, Objects.requireNonNull(volumeName, "volumeName"));
        return self();
    }

    public String getAdminPassword() {
        return adminPassword;
    }

    public String getDatabaseName() {
        return databaseName;
    }

    /** The database folder inside the container. */
    public String getDatabasePath() {
        return DATA_PATH + "/" + databaseName;
    }

    /** The port on {@link #getHost()} that reaches the server's port {@value #TETRA_PORT}. */
    public Integer getPort() {
        return getMappedPort(TETRA_PORT);
    }

    /** Settings for a client of this container as {@code admin}; change the user, timeouts, ... as needed. */
    public ClientConfig.Builder clientConfig() {
        return ClientConfig.builder().host(getHost()).port(getPort()).user("admin").password(adminPassword)
                .connectTimeout(Duration.ofSeconds(30));
    }

    /** A new client connected as {@code admin}; the caller closes it. */
    public TetraClient client() {
        return TetraClient.connect(clientConfig().build());
    }

    /** A new client connected as {@code user}; the caller closes it. */
    public TetraClient client(String user, String password) {
        return TetraClient.connect(clientConfig().user(user).password(password).build());
    }

    /**
     * Stops the server as {@code docker stop} does: SIGTERM, then up to {@code timeout}
     * for the server to answer requests in flight, stop a running backup and close the
     * database (SIGKILL after that). Then removes the container (named volumes stay) and
     * returns the server's exit code (143 after SIGTERM).
     */
    public long stopGracefully(Duration timeout) {
        String id = getContainerId();
        if (id == null) {
            throw new IllegalStateException("The container is not running.");
        }
        getDockerClient().stopContainerCmd(id).withTimeout((int) Math.max(1, timeout.toSeconds())).exec();
        Long exit = getDockerClient().inspectContainerCmd(id).exec().getState().getExitCodeLong();
        stop();
        return exit == null ? -1 : exit;
    }
}
