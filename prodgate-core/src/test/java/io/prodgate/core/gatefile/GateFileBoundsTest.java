package io.prodgate.core.gatefile;

import static io.prodgate.core.gatefile.GateFileLoaderTest.MINIMAL;
import static io.prodgate.core.gatefile.GateFileLoaderTest.parse;
import static io.prodgate.core.gatefile.GateFileLoaderTest.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.smoke.CommandCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input that used to crash, hang or be silently misread: each is a clear problem with its field path. */
class GateFileBoundsTest {
    private static final String SMOKE = """
            smoke:
              checks:
                - name: migrate
                  command: { run: [sh, -c, "echo migration FAILED"], outputContains: &want "migration ok" }
                - name: again
                  command: { run: [sh, -c, "echo migration ok"], outputContains: %s }
            """;

    @Test
    void aDurationBeyondALongIsAProblemNotACrash() {
        assertThat(problems(MINIMAL.replace("canary:\n", "canary:\n  bake: 999999999999999d\n")))
                .isEqualTo("gate.yaml: canary.bake: '999999999999999d' is far too long a duration");
        assertThat(problems(MINIMAL.replace("canary:\n", "canary:\n  bake: 99999999999999999999s\n")))
                .isEqualTo("gate.yaml: canary.bake: '99999999999999999999s' is far too long a duration")
                .doesNotContain("For input string");
        assertThat(problems(MINIMAL.replace("canary:\n", "canary:\n  bake: 1537228672809129302w\n")))
                .contains("canary.bake: ", "far too long a duration");
    }

    @Test
    void anOverLongNumberSaysSoInsteadOfInfinity() {
        String p = problems(MINIMAL.replace("objective: 99.9", "objective: " + "9".repeat(400)));
        assertThat(p).startsWith("gate.yaml: canary.slos[0].objective: must be a finite number of sensible size")
                .doesNotContain("Infinity", "For input string");
        assertThat(problems(MINIMAL.replace("objective: 99.9", "objective: " + "9".repeat(1200))))
                .startsWith("gate.yaml: canary.slos[0].objective: ").doesNotContain("StreamReadConstraints");
    }

    @Test
    void duplicateKeysAreRefusedWithTheirPathAndLines() {
        assertThat(problems(MINIMAL.replace("canary:\n", "canary:\n  bake: 10m\n  bake: 20m\n")))
                .isEqualTo("gate.yaml: canary.bake: is given twice (lines 4 and 5); give it once, or one of them would"
                        + " be silently ignored");
        assertThat(problems(MINIMAL.replace("objective: 99.9", "objective: 99.9\n      objective: 50")))
                .contains("gate.yaml: canary.slos[0].objective: is given twice");
        assertThat(problems("{\"prometheus\": {\"url\": \"http://a\", \"url\": \"http://b\"}}"))
                .contains("gate.yaml: prometheus.url: is given twice");
    }

    @Test
    void anAliasIsRefusedWhereItWouldBeReadAsTheAnchorsName() throws Exception {
        // Jackson reads *want as the text "want": the check would pass on any output containing "want".
        assertThat(problems(SMOKE.formatted("*want")))
                .isEqualTo("gate.yaml: smoke.checks[1].command.outputContains: is a YAML alias (*want) (line 6,"
                        + " column 70); aliases are not supported in gate files, write the value out");
        // An anchor that nothing refers to is harmless, and the value is the anchored one.
        GateFile ok = parse(SMOKE.formatted("\"migration ok\""));
        assertThat(ok.requireSmoke().checks()).allSatisfy(c ->
                assertThat(((CommandCheck) c).outputContains()).hasValue("migration ok"));
    }

    @Test
    void anAliasBombIsRefusedAtTheFirstAlias() {
        StringBuilder bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            String prev = "*" + (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [").append(String.join(", ",
                    java.util.Collections.nCopies(9, prev))).append("]\n");
        }
        String p = problems(bomb.toString());
        assertThat(p).startsWith("gate.yaml: b[0]: is a YAML alias (*a)").contains("aliases are not supported");
        assertThat(p.lines().count()).as("one problem per alias, not per expansion").isLessThan(100);
    }

    @Test
    void nestingIsBounded() {
        String deep = "canary: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
        assertThat(problems(deep)).startsWith("gate.yaml: canary[0][0]").contains("is nested more than 64 levels deep");
    }

    @Test
    void aGateFileOverOneMebibyteIsRefusedBeforeParsing(@TempDir Path dir) throws Exception {
        // One line, as in the report: parsing it would take minutes; the cap answers at once.
        String big = "{\"prometheus\": {\"url\": \"http://x\", \"headers\": {\"X\": \"" + "a".repeat(2 * 1024 * 1024)
                + "\"}}}";
        Path f = dir.resolve("big.json");
        Files.writeString(f, big);
        assertThatThrownBy(() -> GateFileLoader.load(f)).isInstanceOf(GateFileException.class)
                .hasMessage(f + ": is larger than 1024 KiB, the most a gate file may be; is it the right file?");
        assertThatThrownBy(() -> GateFileLoader.parse(Path.of("configText"), big))
                .hasMessage("configText: is larger than 1024 KiB, the most a gate file may be; is it the right file?");
        assertThatThrownBy(() -> GateFileLoader.parse(Path.of("configText"), big.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("is larger than 1024 KiB");
        // Just under the cap still loads.
        String padded = MINIMAL + "#" + "x".repeat(GateFileLoader.MAX_BYTES - MINIMAL.length() - 2) + "\n";
        assertThat(padded.length()).isEqualTo(GateFileLoader.MAX_BYTES);
        assertThat(GateFileLoader.parse(Path.of("gate.yaml"), padded).canary()).isPresent();
    }

    @Test
    void binaryAndControlCharactersAreNamedPlainly() {
        assertThatThrownBy(() -> GateFileLoader.parse(Path.of("gate.yaml"), new byte[] {'a', ':', ' ', (byte) 0x85}))
                .hasMessage("gate.yaml: is not UTF-8 text (a binary file?)");
        assertThat(problems("prometheus:\n  url: \"http://x\u0001\"\n"))
                .isEqualTo("gate.yaml: holds a control character (U+0001) at line 2, column 17; YAML text cannot,"
                        + " write it as an escape in a double-quoted string");
    }

    @Test
    void syntaxErrorsNameTheFieldButNeverQuoteTheLine() {
        String p = problems("prometheus:\n  url: http://x\n  headers: { X-Token: \"s3cr3t-abc\n  retries: 1\n");
        assertThat(p).startsWith("gate.yaml: prometheus.headers.X-Token: is not valid YAML or JSON: ")
                .contains("line 3").doesNotContain("s3cr3t", "Exception");
        assertThat(problems("prometheus: {url: http://x}\n---\nprometheus: {url: http://y}\n"))
                .contains("more than one YAML document");
    }

    @Test
    void prometheusHeadersAreCheckedAsTheClientWouldCheckThem() {
        String withHeaders = MINIMAL.replace("url: http://127.0.0.1:9090", """
                url: http://127.0.0.1:9090
                  bearerTokenEnv: PROM_TOKEN
                  headers:
                    "X-Tenant": "a\\nb"
                    "Bad Name": x
                    Authorization: "Bearer s3cr3t"
                """.strip());
        assertThat(problems(withHeaders).lines()).containsExactly(
                "gate.yaml: prometheus.headers.X-Tenant: contains a line break, which would end the header early",
                "gate.yaml: prometheus.headers: 'Bad Name' is not a valid header name (letters, digits and"
                        + " !#$%&'*+-.^_`|~ only)",
                "gate.yaml: prometheus.headers: Authorization carries a credential; secrets are never written in a"
                        + " gate file, use bearerTokenEnv, bearerTokenFile or basicAuth");
        assertThat(problems(withHeaders)).doesNotContain("s3cr3t");
    }

    @Test
    void aBasicAuthUserWithAColonIsRefused() {
        assertThat(problems(MINIMAL.replace("url: http://127.0.0.1:9090",
                "url: http://127.0.0.1:9090\n  basicAuth: {username: 'a:b', passwordEnv: PW}")))
                .isEqualTo("gate.yaml: prometheus.basicAuth.username: must not contain ':' (basic auth splits user"
                        + " and password at the first ':')");
    }

    @Test
    void smokeAndRollbackHeadersFollowTheSameRules() {
        String p = problems("""
                smoke:
                  checks:
                    - name: api
                      http: { url: "http://x/", headers: { "X-A": "1\\r\\n2" }, headersFromEnv: { "B@d": TOKEN } }
                """);
        assertThat(p.lines()).containsExactly(
                "gate.yaml: smoke.checks[0].http.headers.X-A: contains a line break, which would end the header early",
                "gate.yaml: smoke.checks[0].http.headersFromEnv: 'B@d' is not a valid header name (letters, digits"
                        + " and !#$%&'*+-.^_`|~ only)");
    }

    @Test
    void rollbackPromqlNeedsThePrometheusSection() {
        String rollback = """
                rollback:
                  action: { command: { run: ["true"] } }
                  expectVersion: "1.4.1"
                  version: { promql: 'max by (version) (build_info)', label: version }
                  sloQueries: [ { name: errors, query: 'sum(rate(errors_total[1m]))', max: 0.01 } ]
                """;
        assertThat(problems(rollback).lines()).containsExactly(
                "gate.yaml: rollback.version.promql: reads from Prometheus, but the file has no prometheus section"
                        + " (url and credentials)",
                "gate.yaml: rollback.sloQueries: reads from Prometheus, but the file has no prometheus section"
                        + " (url and credentials)");
    }

    @Test
    void maxDataGapMustBeShorterThanTheBake() throws Exception {
        assertThat(problems(MINIMAL.replace("canary:\n", "canary:\n  bake: 30m\n  maxDataGap: 30m\n")))
                .isEqualTo("gate.yaml: canary.maxDataGap: must be shorter than the bake (30m), or missing evidence"
                        + " could go unnoticed for the whole bake");
        assertThat(parse(MINIMAL.replace("canary:\n", "canary:\n  bake: 30m\n  maxDataGap: 29m\n"))
                .requireCanary().maxDataGap()).isEqualTo(Duration.ofMinutes(29));
    }

    @Test
    void theDefaultMaxDataGapShrinksToFitUnderShortBakes() throws Exception {
        assertThat(gap("bake: 30m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(gap("bake: 2h\n  interval: 5m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(gap("bake: 5m")).isEqualTo(Duration.ofMinutes(4));
        assertThat(gap("bake: 20s\n  interval: 1s")).isEqualTo(Duration.ofSeconds(19));
        assertThat(gap("bake: 20s\n  interval: 15s")).isEqualTo(Duration.ofSeconds(15));
    }

    private static Duration gap(String fields) throws GateFileException {
        CanarySpec c = parse(MINIMAL.replace("canary:\n", "canary:\n  " + fields + "\n")).requireCanary();
        assertThat(c.maxDataGap()).isLessThan(c.bake()).isGreaterThanOrEqualTo(c.interval());
        return c.maxDataGap();
    }
}
