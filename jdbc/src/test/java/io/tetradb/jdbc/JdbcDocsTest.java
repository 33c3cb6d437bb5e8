package io.tetradb.jdbc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/jdbc.md's properties block is examples/application.properties, which JdbcExamplesIT
 * runs. (Its java blocks, like every page's, are checked against the compiled examples by
 * admin-cli's DocsTest.)
 */
@Timeout(30)
class JdbcDocsTest {
    private static final Path PAGE = Path.of("..", "docs", "jdbc.md");

    static List<String> blocks(String page, String language) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)\\n```", Pattern.DOTALL).matcher(page);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void theSpringBootPropertiesAreTheOnesTheExampleRuns() throws IOException {
        String page = Files.readString(PAGE, StandardCharsets.UTF_8);
        String props = Files.readString(Path.of("src", "test", "resources", "examples", "application.properties"),
                StandardCharsets.UTF_8).stripTrailing();
        assertThat(blocks(page, "properties")).containsExactly(props);
    }
}
