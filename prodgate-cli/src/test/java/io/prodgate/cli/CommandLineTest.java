package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's contract: help, exit codes, and clear errors without stack traces. */
class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheCommandsAndExitCodes() {
        CliRun run = CliRun.of("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("validate", "canary", "0    PASS", "1    FAIL", "2    INCONCLUSIVE", "64   bad arguments or gate file");
        CliRun canary = CliRun.of("canary", "--help");
        assertThat(canary.out()).contains("--config", "--prometheus", "--from", "--to", "--state", "--report-json",
                "--junit");
    }

    @Test
    void validateAcceptsAGoodFile() throws Exception {
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9090", ""));
        CliRun run = CliRun.of("validate", "--config", gate.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("valid", "availability: ratio, objective 99", "latency");
    }

    @Test
    void validateWarnsAboutAFileWithNoGateInIt() throws Exception {
        Path gate = GateFiles.write(dir, "empty.yaml", "version: 1\nprometheus:\n  url: http://127.0.0.1:9090\n");
        CliRun run = CliRun.of("validate", "--config", gate.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("warning: no gate section");
    }

    /** The complete example of docs/configuration.md is one that prodgate validate accepts. */
    @Test
    void validateAcceptsTheDocumentedExample() throws Exception {
        String doc = java.nio.file.Files.readString(Path.of("..", "docs", "configuration.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("## Complete example\\s+```yaml\\n(.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).isTrue();
        Path example = GateFiles.write(dir, "example.yaml", m.group(1));
        CliRun run = CliRun.of("validate", "--config", example.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("availability: ratio", "latency: ratio", "cpu: value check");
    }

    /** So is its progressive example: steps, a traffic action, an automatic rollback. */
    @Test
    void validateAcceptsTheDocumentedProgressiveExample() throws Exception {
        String doc = java.nio.file.Files.readString(Path.of("..", "docs", "configuration.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("## Progressive canary example.*?```yaml\\n(.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).isTrue();
        Path example = GateFiles.write(dir, "progressive.yaml", m.group(1));
        CliRun run = CliRun.of("validate", "--config", example.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        // the bake shown is the longest the steps may take: 10m + 10m + 15m of bakes and three settles of 2m
        assertThat(run.out()).contains("canary: bake 41m", "availability: ratio", "latency: ratio",
                "rollback: back to 1.4.1", "steps: 1 % for 10m -> 10 % for 10m -> 50 % for 15m, each shift seen "
                        + "within 2m");
    }

    @Test
    void aBadGateFileExits64WithEveryProblemAndNoStackTrace() throws Exception {
        Path gate = GateFiles.write(dir, "bad.yaml", GateFiles.canaryGate("http://127.0.0.1:9090", "")
                .replace("objective: 99\n", "objective: 199\n").replace("interval: 1m", "interval: soon"));
        for (String command : new String[] {"validate", "canary"}) {
            CliRun run = CliRun.of(command, "--config", gate.toString());
            assertThat(run.exitCode()).isEqualTo(64);
            assertThat(run.err()).contains(gate + ": canary.interval: not a duration: 'soon'",
                    gate + ": canary.slos[0].objective: must be between 1 and 99.9999, got 199");
            assertThat(run.err()).doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void aMissingFileAndBadArgumentsExit64() throws Exception {
        CliRun missing = CliRun.of("validate", "--config", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(64);
        assertThat(missing.err()).contains("nope.yaml: no such file");

        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9090", ""));
        CliRun half = CliRun.of("canary", "--config", gate.toString(), "--from", "2026-11-24T10:00:00Z");
        assertThat(half.exitCode()).isEqualTo(64);
        assertThat(half.err()).contains("--from and --to go together");

        CliRun badTime = CliRun.of("canary", "--config", gate.toString(), "--from", "yesterday", "--to", "now");
        assertThat(badTime.exitCode()).isEqualTo(64);
        assertThat(badTime.err()).contains("--from 'yesterday' is not an ISO-8601 time");

        CliRun badUrl = CliRun.of("canary", "--config", gate.toString(), "--prometheus", "not-a-url");
        assertThat(badUrl.exitCode()).isEqualTo(64);
        assertThat(badUrl.err()).contains("--prometheus must be an http:// or https:// URL, got 'not-a-url'");

        java.nio.file.Path garbage = GateFiles.write(dir, "garbage.json", "garbage");
        CliRun badState = CliRun.of("canary", "--config", gate.toString(), "--state", garbage.toString());
        assertThat(badState.exitCode()).isEqualTo(64);
        assertThat(badState.err()).contains("garbage.json: not a bake state file").doesNotContain("REDACTED", "\tat ");

        CliRun unknown = CliRun.of("canary", "--config", gate.toString(), "--bake", "5m");
        assertThat(unknown.exitCode()).isEqualTo(64);
        assertThat(unknown.err()).contains("Unknown options: '--bake'");
    }

    /** As in the gate file: credentials in a URL would be sent and printed; the password is never echoed. */
    @Test
    void urlsWithCredentialsAreRefusedOnTheCommandLineToo() throws Exception {
        String password = "pw-0c9d-SUPERSECRET";
        Path canary = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9", ""));
        Path smoke = GateFiles.write(dir, "smoke.yaml", """
                smoke:
                  target: http://127.0.0.1:9
                  checks:
                    - { name: api, http: { url: /ok } }
                """);
        Path rollback = GateFiles.write(dir, "rollback.yaml", """
                rollback:
                  target: http://127.0.0.1:9
                  action: { command: { run: ["true"] } }
                  expectVersion: "1.4.1"
                  version: { http: { url: /version } }
                """);
        String withCredentials = "http://admin:" + password + "@127.0.0.1:9";
        String[] replay = {"--from", "2026-11-24T10:00:00Z", "--to", "2026-11-24T10:30:00Z"};
        List<String[]> refused = List.of(
                concat(new String[] {"canary", "--config", canary.toString(), "--prometheus", withCredentials}, replay),
                concat(new String[] {"canary", "--config", canary.toString(), "--pushgateway", withCredentials}, replay),
                new String[] {"smoke", "--config", smoke.toString(), "--target", withCredentials},
                new String[] {"smoke", "--config", smoke.toString(), "--pushgateway", withCredentials},
                new String[] {"rollback", "--config", rollback.toString(), "--target", withCredentials,
                        "--proof", dir.resolve("proof.json").toString()},
                new String[] {"canary", "--config", canary.toString(), "--prometheus", "admin:" + password + "@host"});
        for (String[] args : refused) {
            CliRun run = CliRun.of(args);
            String option = args[3] + " ";
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(64);
            assertThat(run.err()).as(String.join(" ", args)).contains(option)
                    .containsAnyOf("must not carry credentials", "must be an http:// or https:// URL, got 'host'")
                    .doesNotContain(password, "\tat ");
            assertThat(run.out()).doesNotContain(password);
        }
        assertThat(dir.resolve("proof.json")).doesNotExist();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aMissingSecretIsAGateFileErrorNamingTheField() throws Exception {
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9090", "")
                .replace("  timeout: 2s", "  bearerTokenEnv: PRODGATE_TEST_UNSET_TOKEN\n  timeout: 2s"));
        CliRun run = CliRun.of("canary", "--config", gate.toString(), "--from", "2026-11-24T10:00:00Z", "--to",
                "2026-11-24T10:30:00Z");
        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.err()).contains("prometheus.bearerTokenEnv: environment variable PRODGATE_TEST_UNSET_TOKEN is not set");
        CliRun validate = CliRun.of("validate", "--config", gate.toString());
        assertThat(validate.exitCode()).isZero();
        assertThat(validate.out()).contains("warning:", "PRODGATE_TEST_UNSET_TOKEN");
    }

    @Test
    void aStateFileOfAnotherGateIsRefused() throws Exception {
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9", ""));
        Path state = dir.resolve("state.json");
        java.nio.file.Files.writeString(state, io.prodgate.core.canary.BakeStates.toJson(
                new io.prodgate.core.canary.BakeState(1, "sha256:other", java.time.Instant.EPOCH,
                        java.time.Instant.EPOCH.plusSeconds(60), java.time.Instant.EPOCH.plusSeconds(60),
                        java.util.List.of(), null)));
        CliRun run = CliRun.of("canary", "--config", gate.toString(), "--state", state.toString());
        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.err()).contains("belongs to another version of the gate file");
    }

    @Test
    void aStateFileThatIsNullOrBinaryIsAClearUsageError() throws Exception {
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9", ""));
        Path nullState = GateFiles.write(dir, "null.json", "null\n");
        CliRun run = CliRun.of("canary", "--config", gate.toString(), "--state", nullState.toString());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(64);
        assertThat(run.err()).contains(nullState + ": not a bake state file: it is empty or null")
                .doesNotContain("internal error", "Exception", "\tat ");
        Path binary = dir.resolve("binary.json");
        java.nio.file.Files.write(binary, new byte[] {0x1f, (byte) 0x8b, 8, 0, (byte) 0xff, (byte) 0xfe});
        CliRun bin = CliRun.of("canary", "--config", gate.toString(), "--state", binary.toString());
        assertThat(bin.exitCode()).isEqualTo(64);
        assertThat(bin.err()).contains(binary + ": not a bake state file: it is not UTF-8 text (a binary file?)")
                .doesNotContain("Input length");
    }

    @Test
    void aStateFileOfAnUnknownFormatOrWithADamagedLineIsAClearUsageError() throws Exception {
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9", ""));
        Path future = GateFiles.write(dir, "future.json",
                "{\"crc32\":\"00000000\",\"header\":{\"format\":3,\"gateDigest\":\"sha256:x\"}}\n");
        CliRun run = CliRun.of("canary", "--config", gate.toString(), "--state", future.toString());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(64);
        assertThat(run.err()).contains("--state " + future + ": bake state format 3 is not supported")
                .doesNotContain("internal error", "Exception", "\tat ");

        String digest = io.prodgate.core.gatefile.GateFileLoader.load(gate).digest();
        java.time.Instant start = java.time.Instant.parse("2026-11-24T09:00:00Z");
        Path state = dir.resolve("state.json");
        io.prodgate.core.canary.BakeStates.write(state, new io.prodgate.core.canary.BakeState(2, digest, start,
                start.plusSeconds(1800), start.plusSeconds(60), java.util.List.of(), null));
        java.util.List<String> lines = java.nio.file.Files.readAllLines(state); // a header and a progress line
        java.nio.file.Files.write(state, java.util.List.of(lines.get(0),
                lines.get(1).replace("\"steps\":[]", "\"steps\":[ ]"), lines.get(1)));
        CliRun damaged = CliRun.of("canary", "--config", gate.toString(), "--state", state.toString());
        assertThat(damaged.exitCode()).as(damaged.err()).isEqualTo(64);
        assertThat(damaged.err()).contains("--state " + state + ": not a bake state file: line 2 of 3 is damaged: its "
                + "checksum does not match its content").doesNotContain("internal error", "Exception", "\tat ");
    }

    @Test
    void fromAndToAreNotSilentlyIgnoredWhenTheStateFileHoldsAnotherWindow() throws Exception {
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9", ""));
        String digest = io.prodgate.core.gatefile.GateFileLoader.load(gate).digest();
        java.time.Instant start = java.time.Instant.parse("2026-11-24T09:00:00Z");
        Path state = dir.resolve("state.json");
        io.prodgate.core.canary.BakeStates.write(state, new io.prodgate.core.canary.BakeState(1, digest, start,
                start.plusSeconds(1800), start.plusSeconds(60), java.util.List.of(), null));
        CliRun run = CliRun.of("canary", "--config", gate.toString(), "--state", state.toString(),
                "--from", "2026-11-24T10:00:00Z", "--to", "2026-11-24T10:30:00Z");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(64);
        assertThat(run.err()).contains("--state " + state + " holds a bake from 2026-11-24T09:00:00Z to"
                + " 2026-11-24T09:30:00Z, which would be resumed instead of replaying from 2026-11-24T10:00:00Z");
    }

    @Test
    void aBearerTokenWithALineBreakIsRefusedByValidateAsByCanary() throws Exception {
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9", "")
                .replace("  timeout: 2s", "  bearerTokenFile: token.txt\n  timeout: 2s"));
        GateFiles.write(dir, "token.txt", "s3cr3t-first\nX-Injected: s3cr3t-second\n");
        for (String command : new String[] {"validate", "canary"}) {
            CliRun run = CliRun.of(command, "--config", gate.toString());
            assertThat(run.exitCode()).as(command + ": " + run.out() + run.err()).isEqualTo(64);
            assertThat(run.err()).as(command).contains(gate + ": prometheus.bearerTokenFile: the secret from file ",
                    "token.txt contains a line break").doesNotContain("s3cr3t", "Exception", "\tat ");
            assertThat(run.out()).as(command).doesNotContain("s3cr3t", "valid (");
        }
    }
}
