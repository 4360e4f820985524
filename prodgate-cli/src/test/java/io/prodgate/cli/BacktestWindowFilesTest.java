package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad window files are refused before anything is queried: exit 64, the file, the line and the field named, every
 * problem at once, no stack trace. Good ones, CSV and YAML, are read field by field.
 */
class BacktestWindowFilesTest {
    @TempDir
    static Path dir;

    static Path gate() throws Exception {
        // a closed port: nothing may be queried before the window file is accepted
        return GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9", ""));
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("end-before-start.csv", """
                        start,end,label
                        2026-11-24T10:00:00Z,2026-11-24T10:30:00Z,good
                        2026-11-24T11:00:00Z,2026-11-24T10:30:00Z,bad
                        """, "end-before-start.csv: line 3: end: '2026-11-24T10:30:00Z' must be after start "
                        + "(2026-11-24T11:00:00Z)"),
                Arguments.of("label.csv", "start,label\n2026-11-24T10:00:00Z,maybe\n",
                        "label.csv: line 2: label: must be good, bad or empty, got 'maybe'"),
                Arguments.of("time.csv", "# deploys of November\nstart\n\nyesterday\n",
                        "time.csv: line 4: start: 'yesterday' is not an ISO-8601 time with a zone"),
                Arguments.of("no-zone.csv", "start\n2026-11-24T10:00:00\n",
                        "no-zone.csv: line 2: start: '2026-11-24T10:00:00' is not an ISO-8601 time with a zone"),
                Arguments.of("column.csv", "start,lable\n2026-11-24T10:00:00Z,good\n",
                        "column.csv: line 1: lable: unknown column (did you mean 'label'?)"),
                Arguments.of("no-start.csv", "end,label\n2026-11-24T10:00:00Z,good\n",
                        "no-start.csv: line 1: start: the header has no start column"),
                Arguments.of("empty-start.csv", "start,label\n,good\n",
                        "empty-start.csv: line 2: start: is required"),
                Arguments.of("fields.csv", "start,label\n2026-11-24T10:00:00Z,good,version=\"v3\"\n",
                        "fields.csv: line 2: has 3 fields, the header (start,label) 2; quote a field"),
                Arguments.of("quote.csv", "start,canary\n2026-11-24T10:00:00Z,\"version=\"v3\"\n",
                        "quote.csv: line 2: text after a closing quote"),
                Arguments.of("braces.csv", "start,canary\n2026-11-24T10:00:00Z,{version=\"v3\"}\n",
                        "braces.csv: line 2: canary: label matchers without braces"),
                Arguments.of("same.csv", "start,canary,baseline\n2026-11-24T10:00:00Z,track=\"a\",track=\"a\"\n",
                        "same.csv: line 2: baseline: must differ from canary"),
                Arguments.of("twice.csv", "start,start\n2026-11-24T10:00:00Z,2026-11-24T10:00:00Z\n",
                        "twice.csv: line 1: start: is a column twice in the header"),
                Arguments.of("header-only.csv", "start,end,label\n", "header-only.csv: holds no window"),
                Arguments.of("empty.csv", "", "empty.csv: holds no header row"),
                Arguments.of("end-before-start.yaml", """
                        - start: 2026-11-24T10:00:00Z
                          label: good
                        - start: 2026-11-24T11:00:00Z
                          label: bad
                          end: 2026-11-24T10:59:00Z
                        """, "end-before-start.yaml: line 5: [1].end: '2026-11-24T10:59:00Z' must be after start"),
                Arguments.of("field.yaml", "- start: 2026-11-24T10:00:00Z\n  lable: bad\n",
                        "field.yaml: line 2: [0].lable: unknown field (did you mean 'label'?)"),
                Arguments.of("map.yaml", "windows:\n  - start: 2026-11-24T10:00:00Z\n",
                        "map.yaml: line 1: must be a list of windows"),
                Arguments.of("twice.yaml", "- start: 2026-11-24T10:00:00Z\n  label: bad\n  label: good\n",
                        "twice.yaml: line 3: [0].label: is given twice (lines 2 and 3)"),
                Arguments.of("nested.yaml", "- start: 2026-11-24T10:00:00Z\n  canary: { version: v3 }\n",
                        "nested.yaml: line 2: [0].canary: must be a single value, not a map"),
                Arguments.of("missing-start.yaml", "- label: bad\n  end: 2026-11-24T10:00:00Z\n",
                        "missing-start.yaml: line 1: [0].start: is required"),
                Arguments.of("item.yaml", "- 2026-11-24T10:00:00Z\n",
                        "item.yaml: line 1: [0]: must be a map with start"),
                Arguments.of("broken.yaml", "- start: [2026\n", "broken.yaml: line "),
                Arguments.of("windows.txt", "start\n2026-11-24T10:00:00Z\n",
                        "windows.txt: a window file is CSV (.csv) or YAML (.yaml, .yml)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void aBadWindowFileIsExit64NamingTheFileTheLineAndTheField(String name, String content, String expected)
            throws Exception {
        Path file = GateFiles.write(dir, name, content);
        CliRun run = CliRun.of("backtest", "--config", gate().toString(), "--windows", file.toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(64);
        assertThat(run.err()).contains(dir + "/" + expected).doesNotContain("Exception", "\tat ");
        assertThat(run.out()).doesNotContain("windows of");
    }

    @Test
    void everyProblemOfAFileIsNamedAtOnce() throws Exception {
        Path file = GateFiles.write(dir, "several.csv", """
                start,end,label,canary
                2026-11-24T10:00:00Z,2026-11-24T09:00:00Z,good,
                soon,,bad,
                2026-11-24T12:00:00Z,,dunno,{x}
                """);
        CliRun run = CliRun.of("backtest", "--config", gate().toString(), "--windows", file.toString());
        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.err()).contains(file + ": line 2: end:", file + ": line 3: start:",
                file + ": line 4: label:", file + ": line 4: canary:");
    }

    @Test
    void aMissingWindowFileIsNamed() throws Exception {
        Path missing = dir.resolve("nowhere.csv");
        CliRun run = CliRun.of("backtest", "--config", gate().toString(), "--windows", missing.toString());
        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.err()).contains(missing + ": cannot read the window file");
    }

    @Test
    void windowsComeFromAFileOrFromDiscoveryNotBothNorNeither() throws Exception {
        Path file = GateFiles.write(dir, "one.csv", "start\n2026-11-24T10:00:00Z\n");
        CliRun both = CliRun.of("backtest", "--config", gate().toString(), "--windows", file.toString(),
                "--discover", "30d");
        assertThat(both.exitCode()).isEqualTo(64);
        assertThat(both.err()).contains("give either --windows FILE or --discover DURATION");
        assertThat(CliRun.of("backtest", "--config", gate().toString()).exitCode()).isEqualTo(64);
        CliRun threads = CliRun.of("backtest", "--config", gate().toString(), "--windows", file.toString(),
                "--threads", "0");
        assertThat(threads.exitCode()).isEqualTo(64);
        assertThat(threads.err()).contains("--threads must be 1 to 64");
    }

    @Test
    void goodFilesAreReadFieldByField() throws Exception {
        Path csv = GateFiles.write(dir, "good.csv", """
                # start, end (optional), label, selectors
                Start , End,Label,canary,baseline
                2026-11-24T10:00:00Z,2026-11-24T10:45:00Z,good,"version=""v3"",track=""canary\"\"\",
                2026-11-24T12:00:00+01:00,,BAD,,track="stable"
                2026-11-24T13:00:00Z,,,,
                """);
        var windows = BacktestWindows.read(csv);
        assertThat(windows).hasSize(3);
        assertThat(windows.get(0).origin()).isEqualTo(csv + ":3");
        assertThat(windows.get(0).to()).isEqualTo(java.time.Instant.parse("2026-11-24T10:45:00Z"));
        assertThat(windows.get(0).canarySelector()).isEqualTo("version=\"v3\",track=\"canary\"");
        assertThat(windows.get(0).baselineSelector()).isNull();
        assertThat(windows.get(1).from()).isEqualTo(java.time.Instant.parse("2026-11-24T11:00:00Z"));
        assertThat(windows.get(1).to()).isNull();
        assertThat(windows.get(1).label()).isEqualTo(io.prodgate.core.canary.BacktestSummary.Label.BAD);
        assertThat(windows.get(1).baselineSelector()).isEqualTo("track=\"stable\"");
        assertThat(windows.get(2).label()).isNull();

        Path yaml = GateFiles.write(dir, "good.yaml", """
                - { start: 2026-11-24T10:00:00Z, label: good, canary: 'version="v3"' }
                - start: "2026-11-24T12:00:00Z"
                  end: 2026-11-24T12:20:00Z
                  label:
                """);
        var fromYaml = BacktestWindows.read(yaml);
        assertThat(fromYaml).hasSize(2);
        assertThat(fromYaml.get(0).canarySelector()).isEqualTo("version=\"v3\"");
        assertThat(fromYaml.get(1).origin()).isEqualTo(yaml + ":2");
        assertThat(fromYaml.get(1).to()).isEqualTo(java.time.Instant.parse("2026-11-24T12:20:00Z"));
        assertThat(fromYaml.get(1).label()).isNull();
        Files.delete(yaml);
    }

    /** The window files of docs/rolling-out.md are ones the command reads. */
    @Test
    void theDocumentedWindowFilesAreRead() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "rolling-out.md"));
        java.util.regex.Matcher csv = java.util.regex.Pattern.compile("```csv\\n(.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(doc);
        assertThat(csv.find()).isTrue();
        var fromCsv = BacktestWindows.read(GateFiles.write(dir, "doc.csv", csv.group(1)));
        assertThat(fromCsv).hasSize(4);
        assertThat(fromCsv.get(1).canarySelector()).isEqualTo("app=\"checkout\",version=\"1.4.1\"");
        java.util.regex.Matcher yaml = java.util.regex.Pattern.compile("```yaml\\n(- .*?)```",
                java.util.regex.Pattern.DOTALL).matcher(doc);
        assertThat(yaml.find()).isTrue();
        var fromYaml = BacktestWindows.read(GateFiles.write(dir, "doc.yaml", yaml.group(1)));
        assertThat(fromYaml).hasSize(3);
        assertThat(fromYaml.get(2).to()).isEqualTo(java.time.Instant.parse("2026-11-17T11:05:00Z"));
    }
}
