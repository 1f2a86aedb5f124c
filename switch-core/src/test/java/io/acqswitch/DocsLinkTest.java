package io.acqswitch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the documentation resolves: the top-level {@code *.md} files and every
 * {@code .md} under {@code docs/}. A link's file (or directory) must exist in the repository, and its
 * {@code #anchor}, when the target is a Markdown file, must be a heading of that file (GitHub's
 * anchors: lower case, punctuation dropped, spaces as hyphens, {@code -1}, {@code -2} for repeats).
 * Links to the web ({@code http:}, {@code https:}, {@code mailto:}) are not followed: no network.
 * And every page the sources cite ({@code docs/wire.md, "Bad input"}) exists, with the section named.
 */
class DocsLinkTest {
    /** {@code [text](target)} and {@code ![alt](target)}, the target up to a space (a title may follow) or ')'. */
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** A reference definition: {@code [name]: target}. */
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    /** The files a check may see: the repository on disk, or a few strings in the test of the checker. */
    interface Tree {
        boolean exists(String path);

        String read(String path);
    }

    @Test
    void shouldResolveEveryRelativeLinkAndAnchorOfTheDocs() throws IOException {
        Path repo = Path.of("").toAbsolutePath().getParent(); // surefire runs in switch-core
        List<String> pages = new ArrayList<>();
        try (Stream<Path> top = Files.list(repo)) {
            top.filter(p -> p.getFileName().toString().endsWith(".md")).forEach(p -> pages.add(p.getFileName().toString()));
        }
        try (Stream<Path> docs = Files.walk(repo.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(p -> pages.add(repo.relativize(p).toString().replace('\\', '/')));
        }
        assertTrue(pages.contains("README.md") && pages.contains("docs/README.md") && pages.size() > 10,
                "the documentation was found: " + pages);
        Tree disk = new Tree() {
            @Override
            public boolean exists(String path) {
                return Files.exists(repo.resolve(path));
            }

            @Override
            public String read(String path) {
                try {
                    return Files.readString(repo.resolve(path));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (String page : pages.stream().sorted().toList()) {
            links += brokenLinks(disk, page, broken);
        }
        assertTrue(links > 100, "links were found and checked: " + links);
        assertEquals(List.of(), broken, "links that lead nowhere");
    }

    /** A page the code cites, with the section it names when quoted right after it: {@code docs/wire.md, "Bad input"}. */
    private static final Pattern CITATION = Pattern.compile("\\bdocs/([\\w./-]+\\.md)(?:(?:,\\s*|\\s*\\()\"([^\"]+)\")?");

    @Test
    void shouldFindEveryPageAndSectionTheSourcesCite() throws IOException {
        Path repo = Path.of("").toAbsolutePath().getParent(); // surefire runs in switch-core
        List<String> broken = new ArrayList<>();
        int citations = 0;
        for (String root : List.of("switch-core/src", "switch-bench/src", "config")) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(repo.resolve(root))) {
                files = walk.filter(p -> p.toString().matches(".*\\.(java|yaml|yml|sql)$"))
                        .filter(p -> !p.endsWith("DocsLinkTest.java")) // its own examples name pages of a made-up tree
                        .sorted().toList();
            }
            for (Path f : files) {
                String[] lines = Files.readString(f).split("\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    Matcher m = CITATION.matcher(lines[i]);
                    while (m.find()) {
                        citations++;
                        Path page = repo.resolve("docs").resolve(m.group(1));
                        String where = repo.relativize(f).toString().replace('\\', '/') + ":" + (i + 1) + ": " + m.group();
                        if (!Files.isRegularFile(page)) {
                            broken.add(where + " (no such page)");
                        } else if (m.group(2) != null && !hasHeadingStartingWith(Files.readString(page), m.group(2))) {
                            broken.add(where + " (no such section)");
                        }
                    }
                }
            }
        }
        assertTrue(citations > 30, "citations were found and checked: " + citations);
        assertEquals(List.of(), broken, "the code cites what the docs do not have");
    }

    private static boolean hasHeadingStartingWith(String markdown, String section) {
        String wanted = section.toLowerCase(Locale.ROOT);
        return markdown.lines().map(HEADING::matcher).filter(Matcher::matches)
                .anyMatch(h -> h.group(2).toLowerCase(Locale.ROOT).startsWith(wanted));
    }

    @Test
    void shouldReportMissingFilesAndHeadingsButNotWebLinksOrCode() {
        Map<String, String> files = new HashMap<>();
        files.put("README.md", """
                # The switch
                [ok](docs/a.md) [ok](docs/a.md#wire-contract-terminal-side) [ok](#the-switch) [ok](docs/)
                [gone](docs/missing.md) [no such heading](docs/a.md#nowhere) ![img](docs/pic.png)
                [web](https://example.com/x.md) [mail](mailto:a@b.c) `[code](docs/code.md)`
                ```
                [fenced](docs/fenced.md)
                ```
                [ref]: docs/gone-too.md
                """);
        files.put("docs/a.md", """
                # A
                ## Wire contract (terminal side)
                ## UnionPay (银联) POS dialect: `cup`
                ## Fields
                ## Fields
                [up](../README.md#the-switch) [cjk](#unionpay-银联-pos-dialect-cup) [second](#fields-1)
                [escapes](../../outside.md) [third](#fields-2)
                """);
        files.put("docs/pic.png", "");
        Tree tree = new Tree() {
            @Override
            public boolean exists(String path) {
                return path.equals("docs") || files.containsKey(path);
            }

            @Override
            public String read(String path) {
                return files.get(path);
            }
        };
        List<String> broken = new ArrayList<>();
        brokenLinks(tree, "README.md", broken);
        brokenLinks(tree, "docs/a.md", broken);
        assertEquals(List.of(
                "README.md:3: docs/missing.md (no such file)",
                "README.md:3: docs/a.md#nowhere (no such heading)",
                "README.md:8: docs/gone-too.md (no such file)",
                "docs/a.md:7: ../../outside.md (outside the repository)",
                "docs/a.md:7: #fields-2 (no such heading)"), broken);
    }

    @Test
    void shouldAnchorHeadingsAsGitHubDoes() {
        assertEquals("wire-contract-terminal-side", slug("Wire contract (terminal side)"));
        assertEquals("unionpay-银联-pos-dialect-cup", slug("UnionPay (银联) POS dialect: `cup`"));
        assertEquals("metrics-get-metrics", slug("Metrics: `GET /metrics`"));
        assertEquals("where-the-change-log-lives-decision-issue-17", slug("Where the change log lives (decision, issue #17)"));
        assertEquals("see-the-docs", slug("See [the docs](docs/README.md)"));
        assertEquals("snake_case-stays", slug("snake_case stays"));
    }

    /** Adds each broken link of {@code page} to {@code broken} as {@code page:line: target (why)}; returns how many links it checked. */
    static int brokenLinks(Tree tree, String page, List<String> broken) {
        String[] lines = tree.read(page).split("\n", -1);
        String dir = page.contains("/") ? page.substring(0, page.lastIndexOf('/')) : "";
        int checked = 0;
        boolean fenced = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            List<String> targets = new ArrayList<>();
            String prose = line.replaceAll("`[^`]*`", "");
            Matcher inline = INLINE_LINK.matcher(prose);
            while (inline.find()) {
                targets.add(inline.group(1));
            }
            Matcher ref = REFERENCE.matcher(prose);
            if (ref.matches()) {
                targets.add(ref.group(1));
            }
            for (String target : targets) {
                if (target.isEmpty() || SCHEME.matcher(target).find()) {
                    continue;
                }
                checked++;
                String why = problem(tree, page, dir, target);
                if (why != null) {
                    broken.add(page + ":" + (i + 1) + ": " + target + " (" + why + ")");
                }
            }
        }
        return checked;
    }

    /** Why {@code target}, linked from {@code page}, leads nowhere; null when it resolves. */
    private static String problem(Tree tree, String page, String dir, String target) {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        String path;
        if (file.isEmpty()) {
            path = page;
        } else {
            Path resolved = Path.of(dir).resolve(file).normalize();
            path = resolved.toString().replace('\\', '/');
            if (path.startsWith("..") || resolved.isAbsolute()) {
                return "outside the repository";
            }
            if (path.isEmpty()) {
                path = ".";
            }
            if (!tree.exists(path)) {
                return "no such file";
            }
        }
        if (anchor != null && path.endsWith(".md") && !anchors(tree.read(path)).contains(anchor)) {
            return "no such heading";
        }
        return null;
    }

    /** The anchors of a Markdown text's headings, outside fenced code. */
    private static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (!fenced && h.matches()) {
                String base = slug(h.group(2));
                int n = seen.merge(base, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? base : base + "-" + n);
            }
        }
        return anchors;
    }

    /** GitHub's anchor of a heading: link text kept, lower case, all but letters, digits, {@code _}, {@code -} and spaces dropped, spaces as hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
                .replace(' ', '-');
    }
}
