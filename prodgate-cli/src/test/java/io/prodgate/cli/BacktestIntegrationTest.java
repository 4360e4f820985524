package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.testkit.LocalPrometheus;
import io.prodgate.testkit.WellFormedXml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prodgate backtest} against a real Prometheus backfilled with a history of six deploys, three good (the canary
 * as good as the baseline) and three bad (five times the baseline's error ratio), labelled in a window file: the
 * backtest decides each window as a single replay of it does, its confusion table is those verdicts counted,
 * discovery finds the deploys' starts within a scrape interval, and a window that cannot be replayed is reported
 * with its error while the others complete.
 */
class BacktestIntegrationTest {
    static final long SCRAPE = 15;
    /** Six deploys 45 minutes apart, each canary serving 40 minutes; the history starts about seven hours ago. */
    static final long T0 = (Instant.now().getEpochSecond() - 7 * 3600) / 60 * 60;
    static final long SPACING = 45 * 60;
    static final String[] DEPLOYS = {"d1", "d2", "d3", "d4", "d5", "d6"};
    static final boolean[] BAD = {false, true, false, true, false, true};
    static LocalPrometheus prometheus;
    static Path gate;
    @TempDir
    static Path dir;

    static long start(int i) {
        return T0 + i * SPACING;
    }

    @BeforeAll
    static void startPrometheus() throws Exception {
        assumeTrue(LocalPrometheus.isInstalled(), LocalPrometheus.INSTALL_HINT);
        SyntheticHistory history = new SyntheticHistory();
        for (int i = 0; i < DEPLOYS.length; i++) {
            history.scenario(DEPLOYS[i], start(i), 2400, 80, 0.003, 20, BAD[i] ? 0.015 : 0.003, 0.02, 100 + i);
        }
        prometheus = LocalPrometheus.builder().backfill(history.write(dir.resolve("history.om"))).build().start();
        gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate(prometheus.url(), "")
                .replace("canary: 'scenario=\"healthy\",track=\"canary\"'", "canary: 'track=\"canary\"'")
                .replace("baseline: 'scenario=\"healthy\",track=\"stable\"'", "baseline: 'track=\"stable\"'"));
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    static String csv(String text) {
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }

    static String canary(String deploy) {
        return "scenario=\"" + deploy + "\",track=\"canary\"";
    }

    static String baseline(String deploy) {
        return "scenario=\"" + deploy + "\",track=\"stable\"";
    }

    @Test
    void theConfusionTableIsTheVerdictsOfSingleReplaysOfTheSameWindows() throws Exception {
        StringBuilder windows = new StringBuilder("start,end,label,canary,baseline\n");
        for (int i = 0; i < DEPLOYS.length; i++) {
            // the end left out: the start plus the gate's bake (30m)
            windows.append(Instant.ofEpochSecond(start(i))).append(",,").append(BAD[i] ? "bad" : "good").append(',')
                    .append(csv(canary(DEPLOYS[i]))).append(',').append(csv(baseline(DEPLOYS[i]))).append('\n');
        }
        // a window shorter than the gate's interval cannot be replayed: reported with its error, the others go on
        windows.append(Instant.ofEpochSecond(start(0))).append(',').append(Instant.ofEpochSecond(start(0) + 30))
                .append(",good,").append(csv(canary("d1"))).append(',').append(csv(baseline("d1"))).append('\n');
        // a selector Prometheus cannot parse: the gate's own answer, INCONCLUSIVE with the query named
        windows.append(Instant.ofEpochSecond(start(0))).append(",,,").append(csv("scenario=\"d1")).append(",\n");
        Path file = GateFiles.write(dir, "windows.csv", windows.toString());
        Path json = dir.resolve("backtest.json");
        Path html = dir.resolve("backtest.html");
        Path junit = dir.resolve("backtest.xml");

        CliRun run = CliRun.of("backtest", "--config", gate.toString(), "--windows", file.toString(),
                "--threads", "3", "--report-json", json.toString(), "--report-html", html.toString(),
                "--junit", junit.toString());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        JsonNode windowsOut = report.get("windows");
        assertThat(windowsOut).as(run.out() + run.err()).hasSize(8);

        // each labelled window decided as `prodgate canary --from --to` decides it
        Map<String, int[]> expected = new HashMap<>(); // label -> FAIL, PASS, INCONCLUSIVE
        for (int i = 0; i < DEPLOYS.length; i++) {
            Instant from = Instant.ofEpochSecond(start(i));
            Path single = dir.resolve("single-" + DEPLOYS[i] + ".json");
            CliRun replay = CliRun.of("canary", "--config", gate.toString(), "--from", from.toString(),
                    "--to", from.plusSeconds(1800).toString(), "--canary-selector", canary(DEPLOYS[i]),
                    "--baseline-selector", baseline(DEPLOYS[i]), "--report-json", single.toString());
            JsonNode one = new ObjectMapper().readTree(single.toFile());
            JsonNode w = windowsOut.get(i);
            assertThat(w.get("verdict").asText()).as(DEPLOYS[i]).isEqualTo(one.get("verdict").asText());
            assertThat(replay.exitCode()).isEqualTo(verdictExit(one.get("verdict").asText()));
            assertThat(w.get("decidedAt").asText()).isEqualTo(one.get("decidedAt").asText());
            assertThat(w.get("reasons")).isEqualTo(one.get("reasons"));
            assertThat(w.get("origin").asText()).isEqualTo(file + ":" + (i + 2));
            assertThat(w.get("to").asText()).isEqualTo(from.plusSeconds(1800).toString());
            String verdict = one.get("verdict").asText();
            int column = verdict.equals("FAIL") ? 0 : verdict.equals("PASS") ? 1 : 2;
            expected.computeIfAbsent(BAD[i] ? "bad" : "good", k -> new int[3])[column]++;
            if (verdict.equals("FAIL")) {
                long ttf = Instant.parse(one.get("decidedAt").asText()).getEpochSecond() - from.getEpochSecond();
                assertThat(w.get("timeToFail").asDouble()).isEqualTo((double) ttf);
            } else {
                assertThat(w.get("timeToFail").isNull()).isTrue();
            }
            // the plan's figures for the window, at its own traffic
            assertThat(w.get("plan").get("slos")).hasSize(2);
            assertThat(w.get("plan").get("slos").get(0).get("passChance").asDouble()).isBetween(0.0, 1.0);
        }
        JsonNode summary = report.get("summary");
        int[] bad = expected.getOrDefault("bad", new int[3]);
        int[] good = expected.getOrDefault("good", new int[3]);
        assertThat(outcomes(summary.get("bad"))).isEqualTo(List.of(bad[0], bad[1], bad[2], 0));
        // the good window too short to replay is an error of the good row, in no rate
        assertThat(outcomes(summary.get("good"))).isEqualTo(List.of(good[0], good[1], good[2], 1));
        assertThat(summary.get("catchRate").asDouble()).isEqualTo(bad[0] / 3.0);
        assertThat(summary.get("falseAlarmRate").asDouble()).isEqualTo(good[0] / 3.0);
        // five times the baseline's errors is caught; the good deploys are not failed
        assertThat(bad[0]).as(run.out()).isEqualTo(3);
        assertThat(good[0]).as(run.out()).isZero();

        JsonNode broken = windowsOut.get(6);
        assertThat(broken.get("verdict").isNull()).isTrue();
        assertThat(broken.get("error").asText()).contains("shorter than the interval");
        JsonNode invalid = windowsOut.get(7);
        assertThat(invalid.get("verdict").asText()).isEqualTo("INCONCLUSIVE");
        assertThat(invalid.get("reasonTypes").toString()).contains("INVALID_QUERY_RESULT");
        assertThat(summary.get("errors").asInt()).isEqualTo(1);
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);

        // the printed summary says the same
        assertThat(run.out()).contains("catch rate: 100 % (3 of 3 bad deploys FAILed)",
                "false-alarm rate: 0 % (0 of 3 good deploys FAILed)", "ERROR: the replay window (30s) is shorter",
                "8 windows: 3 would have blocked");

        // JUnit: one case per window; the broken one a failure, the INCONCLUSIVE one skipped
        WellFormedXml.parse(junit);
        String xml = Files.readString(junit);
        assertThat(count(xml, "<testcase ")).isEqualTo(8);
        assertThat(xml).contains("tests=\"8\"", "failures=\"1\"", "could not be replayed");

        // HTML: the table, and each window linked to its own canary report, written beside it
        String page = Files.readString(html);
        assertThat(page).contains("id=\"confusion\"", "caught 100 %, false alarms 0 %")
                .doesNotContain("<script", "style=");
        Matcher links = Pattern.compile("href=\"([^\"]+\\.html)\"").matcher(page);
        List<String> linked = new ArrayList<>();
        while (links.find()) {
            linked.add(links.group(1));
        }
        assertThat(linked).hasSize(7).contains("backtest-window-001.html");
        for (String l : linked) {
            assertThat(Files.readString(dir.resolve(l))).contains("prodgate canary gate");
        }
        assertThat(dir.resolve("prodgate-report.css")).exists();
    }

    static int verdictExit(String verdict) {
        return verdict.equals("PASS") ? 0 : verdict.equals("FAIL") ? 1 : 2;
    }

    static List<Integer> outcomes(JsonNode o) {
        return List.of(o.get("failed").asInt(), o.get("passed").asInt(), o.get("inconclusive").asInt(),
                o.get("errors").asInt());
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** The deploys' first samples, found over thirty days (coarse steps, then refined) and over seven hours. */
    @Test
    void discoveryFindsTheDeploysStartsWithinOneScrapeInterval() throws Exception {
        Instant until = Instant.ofEpochSecond(start(5) + 600);
        for (String range : List.of("30d", "8h")) {
            Path json = dir.resolve("discovered-" + range + ".json");
            CliRun run = CliRun.of("backtest", "--config", gate.toString(), "--discover", range,
                    "--discover-by", "scenario", "--until", until.toString(), "--no-plan", "--threads", "2",
                    "--report-json", json.toString());
            assertThat(run.out()).as(run.out() + run.err()).contains("discovered 5 deploys of http_requests_total"
                    + "{track=\"canary\"} by scenario");
            // the last deploy began ten minutes before --until: its window is not over
            assertThat(run.out()).contains("scenario=\"d6\" left out: it began at");
            JsonNode windows = new ObjectMapper().readTree(json.toFile()).get("windows");
            assertThat(windows).hasSize(5);
            for (int i = 0; i < 5; i++) {
                JsonNode w = windows.get(i);
                long found = Instant.parse(w.get("from").asText()).getEpochSecond();
                assertThat(found - start(i)).as(range + " " + DEPLOYS[i]).isBetween(0L, SCRAPE);
                assertThat(w.get("origin").asText()).isEqualTo("discovered scenario=\"" + DEPLOYS[i] + "\"");
                assertThat(w.get("canarySelector").asText()).isEqualTo("track=\"canary\",scenario=\""
                        + DEPLOYS[i] + "\"");
                assertThat(w.get("label").isNull()).isTrue();
                assertThat(w.get("verdict").isNull()).as(w.toString()).isFalse();
            }
            // without labels: how often it would have blocked, and why
            assertThat(run.out()).contains("5 windows: ", "would have blocked").doesNotContain("catch rate");
        }
    }
}
