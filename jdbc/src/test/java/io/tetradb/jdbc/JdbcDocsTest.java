package io.tetradb.jdbc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/jdbc.md shows the examples exactly as they are compiled and run (JdbcExamplesIT):
 * every java block of the page is the text between a {@code // docs:begin NAME} and
 * {@code // docs:end} of an example, every such text is on the page, and the properties
 * block is examples/application.properties.
 */
@Timeout(30)
class JdbcDocsTest {
    private static final Path PAGE = Path.of("..", "docs", "jdbc.md");
    private static final Path EXAMPLES = Path.of("src", "test", "java", "io", "tetradb", "jdbc", "examples");
    private static final Pattern SNIPPET = Pattern.compile("// docs:begin (\\w+)\\n(.*?)\\n[ \\t]*// docs:end",
            Pattern.DOTALL);

    static List<String> blocks(String page, String language) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)\\n```", Pattern.DOTALL).matcher(page);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static Map<String, String> snippets() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = SNIPPET.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) {
                    out.put(m.group(1), dedent(m.group(2)));
                }
            }
        }
        return out;
    }

    static String dedent(String text) {
        String[] lines = text.split("\n", -1);
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            b.append(lines[i].isBlank() ? "" : lines[i].substring(indent));
            if (i < lines.length - 1) {
                b.append('\n');
            }
        }
        return b.toString();
    }

    @Test
    void everyJavaBlockOfThePageIsAnExampleAndEveryExampleIsOnThePage() throws IOException {
        String page = Files.readString(PAGE, StandardCharsets.UTF_8);
        Map<String, String> snippets = snippets();
        assertThat(snippets).containsKeys("plain", "hikari", "flyway");
        List<String> java = blocks(page, "java");
        assertThat(java).isNotEmpty();
        for (String block : java) {
            assertThat(snippets.values()).as("a java block of docs/jdbc.md that no example holds:%n%s", block)
                    .contains(block);
        }
        for (Map.Entry<String, String> e : snippets.entrySet()) {
            assertThat(java).as("example %s is not on the page as it is", e.getKey()).contains(e.getValue());
        }
    }

    @Test
    void theSpringBootPropertiesAreTheOnesTheExampleRuns() throws IOException {
        String page = Files.readString(PAGE, StandardCharsets.UTF_8);
        String props = Files.readString(Path.of("src", "test", "resources", "examples", "application.properties"),
                StandardCharsets.UTF_8).stripTrailing();
        assertThat(blocks(page, "properties")).containsExactly(props);
    }
}
