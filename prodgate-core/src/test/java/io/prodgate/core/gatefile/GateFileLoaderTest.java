package io.prodgate.core.gatefile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.action.Action;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.Rollout;
import io.prodgate.core.canary.ValueCheck;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.SecretRef;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateFileLoaderTest {
    static final String MINIMAL = """
            prometheus:
              url: http://127.0.0.1:9090
            canary:
              selectors:
                canary: 'track="canary"'
                baseline: 'track="stable"'
              slos:
                - name: availability
                  bad: 'sum(increase(req{${selector},code=~"5.."}[${window}]))'
                  total: 'sum(increase(req{${selector}}[${window}]))'
                  objective: 99.9
            """;

    static GateFile parse(String yaml) throws GateFileException {
        return GateFileLoader.parse(Path.of("gate.yaml"), yaml.getBytes(StandardCharsets.UTF_8));
    }

    static String problems(String yaml) {
        try {
            parse(yaml);
        } catch (GateFileException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected problems in:\n" + yaml);
    }

    @Test
    void aCanaryMayOnlyAdviseAndTrySlosAsDryRuns() throws Exception {
        String text = MINIMAL.replace("  selectors:", "  mode: advisory\n  selectors:") + """
                    - name: latency
                      bad: 'sum(increase(slow{${selector}}[${window}]))'
                      total: 'sum(increase(req{${selector}}[${window}]))'
                      objective: 99
                      dryRun: true
                    - name: cpu
                      query: 'max(cpu{${selector}})'
                      max: 0.9
                      dryRun: true
                """;
        var spec = parse(text).requireCanary();
        assertThat(spec.advisory()).isTrue();
        assertThat(spec.dryRunSlos()).containsExactly("latency", "cpu");
        assertThat(parse(MINIMAL).requireCanary().advisory()).as("blocking by default").isFalse();
        assertThat(parse(MINIMAL).requireCanary().dryRunSlos()).isEmpty();

        assertThat(problems(MINIMAL.replace("  selectors:", "  mode: maybe\n  selectors:")))
                .contains("gate.yaml: canary.mode: ").contains("advisory");
        assertThat(problems(MINIMAL + "      dryRun: true\n"))
                .contains("gate.yaml: canary.slos: are all dryRun: true, so nothing would decide the verdict");
        assertThat(problems(MINIMAL + "      dryRun: maybe\n")).contains("gate.yaml: canary.slos[0].dryRun: ");
    }

    /** The complete example of docs/configuration.md stays valid. */
    @Test
    void theDocumentedExampleIsAccepted() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        Matcher m = Pattern.compile("## Complete example\\s+```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("docs/configuration.md has a complete example").isTrue();
        GateFile gate = parse(m.group(1));
        CanarySpec c = gate.requireCanary();
        assertThat(c.slos()).hasSize(3);
        assertThat(c.bake()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.requireRollbackProof()).isTrue();
        assertThat(c.policy().verdictFor(ReasonType.NO_CANARY_DATA)).isEqualTo(Verdict.FAIL);
        assertThat(c.policy().verdictFor(ReasonType.SOURCE_ERROR)).isEqualTo(Verdict.INCONCLUSIVE);
        RatioSlo latency = (RatioSlo) c.slos().get(1);
        assertThat(latency.countsGood()).isTrue();
        assertThat(latency.objective()).isEqualTo(0.99);
        assertThat(((ValueCheck) c.slos().get(2)).max()).hasValue(0.8);
        assertThat(gate.requirePrometheus().bearerToken()).hasValueSatisfying(
                r -> assertThat(r.toString()).isEqualTo("env PROMETHEUS_TOKEN"));
    }

    /** The progressive example of docs/configuration.md stays valid, with its steps, traffic action and rollback. */
    @Test
    void theDocumentedProgressiveExampleIsAccepted() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        Matcher m = Pattern.compile("## Progressive canary example.*?```yaml\\n(.*?)```", Pattern.DOTALL)
                .matcher(doc);
        assertThat(m.find()).as("docs/configuration.md has a progressive example").isTrue();
        GateFile gate = parse(m.group(1));
        CanarySpec c = gate.requireCanary();
        Rollout r = c.rollout().orElseThrow();
        assertThat(r.steps()).extracting(Rollout.Step::weight).containsExactly(0.01, 0.10, 0.50);
        assertThat(r.settle()).isEqualTo(Duration.ofMinutes(2));
        assertThat(r.tolerance()).isEqualTo(0.25);
        assertThat(gate.traffic()).hasValueSatisfying(a -> assertThat(a).isInstanceOf(Action.Command.class));
        assertThat(gate.remediation().onFail()).isTrue();
        assertThat(gate.remediation().onInconclusive()).isFalse();
        assertThat(gate.remediation().restoreWithin()).isEqualTo(Duration.ofMinutes(5));
        assertThat(gate.rollback()).isPresent();
    }

    @Test
    void defaultsFillWhatAMinimalFileLeavesOut() throws Exception {
        CanarySpec c = parse(MINIMAL).requireCanary();
        assertThat(c.bake()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.falseAlarmRate()).isEqualTo(0.01);
        assertThat(c.detectableRegression()).isEqualTo(2.0);
        assertThat(c.maxDataGap()).isEqualTo(Duration.ofMinutes(5));
        assertThat(((RatioSlo) c.slos().get(0)).tolerance()).isEqualTo(0.1);
        assertThat(c.evaluations()).isEqualTo(30);
    }

    @Test
    void jsonIsAcceptedToo() throws Exception {
        GateFile g = parse("{\"canary\": {\"selectors\": {\"canary\": \"a=\\\"1\\\"\", \"baseline\": \"a=\\\"2\\\"\"},"
                + "\"slos\": [{\"name\": \"cpu\", \"query\": \"cpu{${selector}}\", \"max\": 1}]}}");
        assertThat(g.requireCanary().slos()).hasSize(1);
        assertThat(g.prometheus()).isEmpty();
    }

    @Test
    void everyProblemIsReportedWithFileFieldPathAndWhat() {
        String p = problems("""
                prometheus:
                  url: ftp://host
                  bearerToken: abc123
                canary:
                  selectors:
                    canary: '{track="canary"}'
                    baseline: '{track="canary"}'
                  bake: 10 minutes
                  intervall: 1m
                  falseAlarmRate: 2
                  slos:
                    - name: availability
                      bad: 'sum(increase(req{code=~"5.."}[5m]))'
                      total: 'sum(increase(req{${selector}}[${windw}]))'
                      objective: 120
                    - name: availability
                      query: 'x{${selector}}'
                """);
        assertThat(p).contains(
                "gate.yaml: prometheus.url: must be an http:// or https:// URL, got 'ftp://host'",
                "gate.yaml: prometheus.bearerToken: secrets are never written in a gate file",
                "gate.yaml: canary.selectors.baseline: must differ from selectors.canary",
                "gate.yaml: canary.selectors.canary: write the label matchers without braces",
                "gate.yaml: canary.bake: not a duration: '10 minutes'",
                "gate.yaml: canary.intervall: unknown field (did you mean 'interval'?)",
                "gate.yaml: canary.falseAlarmRate: must be between",
                "gate.yaml: canary.slos[0].bad: must use ${selector}",
                "gate.yaml: canary.slos[0].bad: must use ${window}",
                "gate.yaml: canary.slos[0].total: unknown placeholder ${windw}",
                "gate.yaml: canary.slos[0].objective: must be between 1 and 99.9999, got 120",
                "gate.yaml: canary.slos[1]: needs min, max or both",
                "gate.yaml: canary.slos[1].name: 'availability' is used by another SLO");
        assertThat(p).doesNotContain("abc123");
    }

    @Test
    void brokenYamlNamesTheLine() {
        assertThat(problems("canary:\n  selectors: [\n"))
                .startsWith("gate.yaml: canary.selectors: is not valid YAML or JSON: ").contains("(line 3, column 1)");
        assertThat(problems("")).isEqualTo("gate.yaml: is empty");
        assertThat(problems("- a\n- b\n")).contains("must be a mapping");
    }

    @Test
    void aMissingFileIsAProblemNotAStackTrace(@TempDir Path dir) {
        assertThatThrownBy(() -> GateFileLoader.load(dir.resolve("nope.yaml")))
                .isInstanceOf(GateFileException.class).hasMessageEndingWith("nope.yaml: no such file");
    }

    @Test
    void secretsResolveFromEnvironmentOrFileAndNameTheFieldWhenMissing(@TempDir Path dir) throws Exception {
        GateFile g = parse(MINIMAL.replace("url: http://127.0.0.1:9090",
                "url: http://127.0.0.1:9090\n  basicAuth: {username: u, passwordFile: pw.txt}"));
        SecretRef ref = g.requirePrometheus().password().orElseThrow();
        Files.writeString(dir.resolve("pw.txt"), "s3cret\n");
        assertThat(ref.resolve("gate.yaml", Map.of(), dir).reveal()).isEqualTo("s3cret");
        assertThatThrownBy(() -> ref.resolve("gate.yaml", Map.of(), dir.resolve("elsewhere")))
                .hasMessageStartingWith("gate.yaml: prometheus.basicAuth.passwordFile: secret file")
                .hasMessageEndingWith("pw.txt does not exist");
        SecretRef env = parse(MINIMAL.replace("url: http://127.0.0.1:9090",
                "url: http://127.0.0.1:9090\n  bearerTokenEnv: PROM_TOKEN")).requirePrometheus().bearerToken().orElseThrow();
        assertThat(env.resolve("gate.yaml", Map.of("PROM_TOKEN", "t0k"), dir).toString()).doesNotContain("t0k");
        assertThatThrownBy(() -> env.resolve("gate.yaml", Map.of(), dir))
                .hasMessage("gate.yaml: prometheus.bearerTokenEnv: environment variable PROM_TOKEN is not set");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutEchoingThem() {
        String p = problems(MINIMAL.replace("http://127.0.0.1:9090", "http://admin:hunter2@127.0.0.1:9090"));
        assertThat(p).contains("prometheus.url: must not carry credentials").doesNotContain("hunter2");
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.promql(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.human(Duration.ofSeconds(3725))).isEqualTo("1h2m5s");
        assertThatThrownBy(() -> Durations.parse("5 min")).hasMessageContaining("not a duration");
    }
}
