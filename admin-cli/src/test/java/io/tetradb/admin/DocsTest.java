package io.tetradb.admin;

import io.tetradb.client.ErrorCode;
import io.tetradb.server.backup.BackupSettings;
import io.tetradb.server.config.ServerConfig;
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
 * The documentation keeps up with the code: every Java block of README.md and docs/ is the
 * text of an example the build compiles (between {@code // docs:begin NAME} and
 * {@code // docs:end} in a test source of any module; ExamplesIT, JdbcExamplesIT run them),
 * every tetra-admin command is in docs/admin-cli.md, every server setting in
 * docs/settings.md, every backup.yml key in docs/backups.md and every error code in
 * docs/error-codes.md. No file of the repository names the product contract kept outside it,
 * and no page links outside it.
 */
@Timeout(60)
class DocsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern SNIPPET = Pattern.compile("// docs:begin ([\\w-]+)\\n(.*?)\\n[ \\t]*// docs:end",
            Pattern.DOTALL);
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)\\n```", Pattern.DOTALL);

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /** README.md, BENCHMARKS.md and every page under docs/. */
    static List<Path> pages() throws IOException {
        List<Path> out = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("BENCHMARKS.md")));
        try (Stream<Path> s = Files.walk(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        }
        return out;
    }

    /** The examples of every module's test sources, by name, dedented. */
    static Map<String, String> snippets() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String module : List.of("server", "client", "jdbc", "admin-cli", "testcontainers")) {
            Path tests = ROOT.resolve(module).resolve("src/test/java");
            if (!Files.isDirectory(tests)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(tests)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    Matcher m = SNIPPET.matcher(read(f));
                    while (m.find()) {
                        String previous = out.put(m.group(1), dedent(m.group(2)));
                        assertThat(previous).as("two examples named %s", m.group(1)).isNull();
                    }
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
    void everyJavaBlockOfTheDocsIsAnExampleTheBuildCompiles() throws IOException {
        Map<String, String> snippets = snippets();
        assertThat(snippets).containsKeys("quickstart", "client-tour", "backup-wait", "embedded", "testcontainers");
        List<String> blocks = new ArrayList<>();
        for (Path page : pages()) {
            Matcher m = JAVA_BLOCK.matcher(read(page));
            while (m.find()) {
                blocks.add(m.group(1));
                assertThat(snippets.values()).as("a java block of %s is not an example the build compiles "
                        + "(copy it from a // docs:begin ... // docs:end region):%n%s", ROOT.relativize(page),
                        m.group(1)).contains(m.group(1));
            }
        }
        assertThat(blocks).as("java blocks found").hasSizeGreaterThanOrEqualTo(8);
        for (Map.Entry<String, String> e : snippets.entrySet()) {
            assertThat(blocks).as("example %s is on no page as it is", e.getKey()).contains(e.getValue());
        }
    }

    @Test
    void everyTetraAdminCommandIsInTheCommandReference() throws IOException {
        String page = read(ROOT.resolve("docs/admin-cli.md"));
        List<String> lines = page.lines().map(String::strip).toList();
        List<String> paths = AdminMain.commandPaths();
        assertThat(paths).contains("backup settings set", "backup history", "backup journal", "sql", "log new");
        for (String path : paths) {
            int cut = path.lastIndexOf(' ');
            String parent = cut < 0 ? "" : path.substring(0, cut);
            String leaf = path.substring(cut + 1);
            Pattern word = Pattern.compile("(^|[\\s|])" + Pattern.quote(leaf) + "($|[\\s|\\[])");
            boolean found = lines.stream().anyMatch(l -> (parent.isEmpty() ? l.startsWith(leaf)
                    : l.startsWith(parent + " ")) && word.matcher(parent.isEmpty() ? l
                    : l.substring(parent.length())).find());
            assertThat(found).as("tetra-admin %s is not in docs/admin-cli.md's synopsis", path).isTrue();
        }
    }

    @Test
    void everyServerSettingIsInTheSettingsPage() throws IOException {
        String page = read(ROOT.resolve("docs/settings.md"));
        for (String key : ServerConfig.KEYS) {
            assertThat(page).as("setting %s is not in docs/settings.md", key).contains("`" + key + "`");
        }
    }

    @Test
    void everyBackupSettingIsInTheBackupsPage() throws IOException {
        String page = read(ROOT.resolve("docs/backups.md"));
        List<String> keys = BackupSettings.keys();
        assertThat(keys).contains("archive.compression", "schedule.weekdays.sunday", "destination");
        for (String key : keys) {
            assertThat(page).as("backup setting %s is not in docs/backups.md", key).contains("`" + key + "`");
        }
    }

    @Test
    void everyErrorCodeIsInTheErrorCodesPage() throws IOException {
        String page = read(ROOT.resolve("docs/error-codes.md"));
        for (ErrorCode code : ErrorCode.values()) {
            Pattern cell = Pattern.compile("(^\\|\\s*|/\\s*)" + Pattern.quote(String.valueOf(code.code())) + "\\s*[|/]",
                    Pattern.MULTILINE);
            assertThat(cell.matcher(page).find()).as("error %d (%s) is not in docs/error-codes.md", code.code(),
                    code).isTrue();
        }
    }

    /** Folder names never searched: build output and Git's own. */
    private static final java.util.Set<String> SKIPPED = java.util.Set.of("target", ".git", "node_modules");
    private static final Pattern TEXT_FILE = Pattern.compile(
            ".*\\.(java|proto|md|xml|yml|yaml|sh|properties|txt|cfg)$|.*/bin/[^/.]+$|.*/Dockerfile$");

    @Test
    void noFileOfTheRepositoryNamesTheProductContractOutsideIt() throws IOException {
        // built from parts, so that this test does not name them itself
        List<String> outside = List.of(".." + "/shared", "PRODUCT" + ".md");
        List<String> found = new ArrayList<>();
        Files.walkFileTree(ROOT, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
                return SKIPPED.contains(d.getFileName().toString()) ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                        : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                if (a.isRegularFile() && TEXT_FILE.matcher(f.toString()).matches()) {
                    String text = read(f);
                    for (String o : outside) {
                        if (text.contains(o)) {
                            found.add(ROOT.relativize(f) + " names " + o);
                        }
                    }
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        assertThat(found).as("the repository stands on its own: what users need is in docs/").isEmpty();
    }

    @Test
    void noDocumentPointsOutsideTheRepository() throws IOException {
        for (Path page : pages()) {
            String text = read(page);
            Matcher link = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)").matcher(text);
            while (link.find()) {
                String target = link.group(1);
                if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")) {
                    continue;
                }
                Path resolved = page.getParent().resolve(target).normalize();
                assertThat(resolved.startsWith(ROOT)).as("%s links outside the repository: %s",
                        ROOT.relativize(page), target).isTrue();
                assertThat(resolved).as("%s links to a missing file: %s", ROOT.relativize(page), target).exists();
            }
        }
    }
}
