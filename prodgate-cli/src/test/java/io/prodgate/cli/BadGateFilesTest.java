package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.gatefile.GateFileLoader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed gate file in {@code src/test/resources/bad-gate-files} is refused alike by validate, canary, smoke
 * and rollback: exit 64, the file and the field named, no stack trace, nothing secret echoed. What each file must be
 * reported for is in {@code expectations.tsv} beside them: every file there is listed, and every listed file exists.
 */
class BadGateFilesTest {
    /** Every secret-like value in the corpus contains this; no output may. */
    static final String SECRET_MARKER = "s3cr3t";
    static final List<String> COMMANDS = List.of("validate", "canary", "smoke", "rollback");

    @TempDir
    static Path out;

    record Case(String file, String expected, String why) {
        @Override
        public String toString() {
            return file + " (" + why + ")";
        }
    }

    static Path corpus() throws URISyntaxException {
        return Path.of(BadGateFilesTest.class.getResource("/bad-gate-files/expectations.tsv").toURI()).getParent();
    }

    static List<Case> cases() throws Exception {
        return Files.readAllLines(corpus().resolve("expectations.tsv"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("\t", -1))
                .map(f -> new Case(f[0], f[1], f[2]))
                .toList();
    }

    static Stream<Case> corpusCases() throws Exception {
        return cases().stream();
    }

    @Test
    void theCorpusIsLargeAndEveryFileHasAnExpectation() throws Exception {
        Set<String> listed = cases().stream().map(Case::file).collect(Collectors.toSet());
        Set<String> present;
        try (Stream<Path> files = Files.list(corpus())) {
            present = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("expectations.tsv"))
                    .collect(Collectors.toSet());
        }
        assertThat(present).isEqualTo(listed);
        assertThat(listed).hasSizeGreaterThanOrEqualTo(60);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpusCases")
    void everyCommandRefusesItClearly(Case c) throws Exception {
        Path file = corpus().resolve(c.file());
        for (String command : COMMANDS) {
            assertRefused(command, file, c.expected());
        }
    }

    @Test
    void aGateFileOverTheCapIsRefusedByEveryCommand() throws IOException {
        // One line just over the cap: before the cap a 50 MiB one took more than 11 minutes to parse.
        Path big = out.resolve("huge-one-line.json");
        String head = "{\"prometheus\": {\"url\": \"http://127.0.0.1:9\", \"headers\": {\"X\": \"";
        Files.writeString(big, head + "a".repeat(GateFileLoader.MAX_BYTES - head.length() - 3) + "\"}}}");
        assertThat(Files.size(big)).isEqualTo(GateFileLoader.MAX_BYTES + 1);
        for (String command : COMMANDS) {
            assertRefused(command, big, "is larger than 1024 KiB");
        }
    }

    private static void assertRefused(String command, Path file, String expected) {
        String[] args = command.equals("rollback")
                ? new String[] {command, "--config", file.toString(), "--proof", out.resolve("proof.json").toString()}
                : new String[] {command, "--config", file.toString()};
        CliRun run = CliRun.of(args);
        String all = run.out() + run.err();
        assertThat(run.exitCode()).as(command + " " + file.getFileName() + ":\n" + all).isEqualTo(64);
        assertThat(run.err()).as(command).contains(file + ": " + expected);
        assertThat(all).as(command + ": no stack trace").doesNotContain("Exception", "\tat ", "internal error");
        assertThat(all).as(command + ": nothing secret echoed").doesNotContain(SECRET_MARKER);
        assertThat(run.out()).as(command + ": nothing said to be valid").doesNotContain("valid (");
        assertThat(out.resolve("proof.json")).as("rollback wrote no proof for a file it refused").doesNotExist();
    }
}
