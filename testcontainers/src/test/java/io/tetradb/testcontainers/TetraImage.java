package io.tetradb.testcontainers;

import com.github.dockerjava.api.command.BuildImageCmd;
import org.testcontainers.images.builder.ImageFromDockerfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The image the container tests run: built from {@code docker/Dockerfile} with the
 * repository's root as the build context (its {@code .dockerignore} applies), once per
 * test JVM, removed when the JVM ends.
 */
final class TetraImage {
    private static ImageFromDockerfile image;

    private TetraImage() {
    }

    /** The repository's root: Failsafe and Surefire run in the module's folder. */
    static Path repository() {
        Path root = Path.of("").toAbsolutePath().getParent();
        if (!Files.isRegularFile(root.resolve("docker/Dockerfile"))) {
            throw new IllegalStateException("docker/Dockerfile not found under " + root);
        }
        return root;
    }

    /** The image, built on first use. */
    static synchronized ImageFromDockerfile fromRepository() {
        if (image == null) {
            image = new ImageFromDockerfile().withBuildImageCmdModifier(buildContext(repository()));
        }
        return image;
    }

    /**
     * Sets the build context to {@code repository} and the Dockerfile to
     * {@code docker/Dockerfile} in it, as {@code docker build -f docker/Dockerfile .}
     * does. (ImageFromDockerfile.withDockerfile would take the Dockerfile's own folder as
     * the context.) The context is read from disk with the .dockerignore at its root.
     */
    static Consumer<BuildImageCmd> buildContext(Path repository) {
        return cmd -> cmd.withBaseDirectory(repository.toFile())
                .withDockerfile(repository.resolve("docker/Dockerfile").toFile());
    }
}
