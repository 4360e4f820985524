package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.testkit.LocalPrometheus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code prodgate plan} against a real Prometheus with backfilled history: busy traffic can reach a verdict, thin
 * traffic cannot, and the plan's chance of a PASS is what replayed bakes at the same rates actually give.
 */
class PlanCommandTest {
    static final long T0 = (Instant.now().getEpochSecond() - 4 * 3600) / 60 * 60;
    /** Thin deployments at the same rates: 12.8 req/s stable, 3.2 req/s canary, 0.3 % errors on both. */
    static final int THIN_REPLAYS = 12;
    static LocalPrometheus prometheus;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startPrometheus() throws Exception {
        assumeTrue(LocalPrometheus.isInstalled(), LocalPrometheus.INSTALL_HINT);
        SyntheticHistory history = new SyntheticHistory().scenario("busy", T0, 2400, 400, 0.003, 100, 0.003, 0.02, 1);
        for (int i = 0; i < THIN_REPLAYS; i++) {
            history.scenario("thin" + i, T0, 2400, 12.8, 0.003, 3.2, 0.003, 0.02, 100 + i);
        }
        prometheus = LocalPrometheus.builder().backfill(history.write(dir.resolve("history.om"))).build().start();
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    static String[] selectors(String scenario) {
        return new String[] {"--canary-selector", "scenario=\"" + scenario + "\",track=\"canary\"",
                "--baseline-selector", "scenario=\"" + scenario + "\",track=\"stable\""};
    }

    static String[] args(String[] selectors, String command, String... more) {
        String[] all = new String[1 + selectors.length + more.length];
        all[0] = command;
        System.arraycopy(selectors, 0, all, 1, selectors.length);
        System.arraycopy(more, 0, all, 1 + selectors.length, more.length);
        return all;
    }

    Path gate() throws Exception {
        return GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate(prometheus.url(), ""));
    }

    @Test
    void busyTrafficBeforeTheCanaryStartsCanReachAVerdict() throws Exception {
        Path json = dir.resolve("busy-plan.json");
        CliRun run = CliRun.of(args(selectors("busy"), "plan", "--config", gate().toString(), "--canary-share", "20%",
                "--at", Instant.ofEpochSecond(T0).toString(), "--lookback", "10m", "--report-json", json.toString()));
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("availability: at 80 req/s to the canary (20 % share", "latency:",
                "the bake can reach a verdict for every SLO");
        JsonNode plan = new ObjectMapper().readTree(json.toFile());
        assertThat(plan.get("reachesVerdict").asBoolean()).isTrue();
        JsonNode availability = plan.get("slos").get(0);
        assertThat(availability.get("canaryShare").asDouble()).isEqualTo(0.2);
        assertThat(availability.get("baselineBadRatio").asDouble()).isBetween(0.002, 0.004);
        assertThat(availability.get("passChance").asDouble()).isGreaterThanOrEqualTo(0.9);
        // a canary twice as bad is caught, early (400 req/s before the canary: 80 to it at 20 %)
        assertThat(availability.get("failChance").asDouble()).isGreaterThan(0.9);
        assertThat(availability.get("medianTimeToFail").asText()).startsWith("PT");
    }

    @Test
    void thinTrafficCannotAndThePlanAgreesWithReplayedBakesAtTheSameRates() throws Exception {
        Path json = dir.resolve("thin-plan.json");
        // planned at the end of the first thin deployment: the canary serves, so its share is measured
        CliRun run = CliRun.of(args(selectors("thin0"), "plan", "--config", gate().toString(),
                "--at", Instant.ofEpochSecond(T0 + 1800).toString(), "--lookback", "30m",
                "--report-json", json.toString()));
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.out()).contains("the bake cannot reach a verdict", "needs a ");
        JsonNode availability = new ObjectMapper().readTree(json.toFile()).get("slos").get(0);
        assertThat(availability.get("canaryShare").asDouble()).isBetween(0.17, 0.23);
        double planned = availability.get("passChance").asDouble();
        assertThat(planned).isBetween(0.1, 0.85);
        assertThat(availability.get("bakeNeeded").asText()).startsWith("PT");

        int held = 0;
        for (int i = 0; i < THIN_REPLAYS; i++) {
            Path report = dir.resolve("thin" + i + ".json");
            CliRun replay = CliRun.of(args(selectors("thin" + i), "canary", "--config", gate().toString(),
                    "--from", Instant.ofEpochSecond(T0).toString(), "--to", Instant.ofEpochSecond(T0 + 1800).toString(),
                    "--quiet", "--report-json", report.toString()));
            assertThat(replay.exitCode()).as(replay.out() + replay.err()).isIn(0, 1, 2);
            JsonNode slo = new ObjectMapper().readTree(report.toFile()).get("slos").get(0);
            held += "HELD".equals(slo.get("state").asText()) ? 1 : 0;
        }
        double observed = (double) held / THIN_REPLAYS;
        // twelve replays: a binomial spread of about 0.14 around the planned chance
        assertThat(observed).as("replayed %d of %d, planned %.2f", held, THIN_REPLAYS, planned)
                .isBetween(planned - 0.35, planned + 0.35);
    }

    @Test
    void aLiveBakeAnnouncesItsPlanAndWarnsWhenItMayNotReachAVerdict() throws Exception {
        // the bake starts as the first thin deployment has served for 30 minutes; the clock moves when it waits
        Instant[] now = {Instant.ofEpochSecond(T0 + 1800)};
        CommandLine cli = Main.commandLine();
        CanaryCommand canary = cli.getSubcommands().get("canary").getCommand();
        canary.clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        canary.sleeper = d -> now[0] = now[0].plus(d);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        int code = cli.execute(args(selectors("thin0"), "canary", "--config", gate().toString()));
        String text = out.toString();
        assertThat(code).as(text).isEqualTo(2);
        assertThat(text).contains("warning: at the recent traffic this bake may not reach a verdict",
                "  plan: availability: at ", "a 30m bake passes a healthy canary");
        assertThat(text.indexOf("warning:")).isLessThan(text.indexOf(" 1m/30m "));
    }

    @Test
    void aCanaryThatDoesNotServeYetNeedsItsShare() throws Exception {
        CliRun run = CliRun.of(args(selectors("busy"), "plan", "--config", gate().toString(),
                "--at", Instant.ofEpochSecond(T0).toString(), "--lookback", "10m"));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).contains("the canary serves no traffic yet", "--canary-share");
    }

    @Test
    void aBadShareIsAUsageError() throws Exception {
        CliRun run = CliRun.of(args(selectors("busy"), "plan", "--config", gate().toString(), "--canary-share", "80%"));
        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.err()).contains("--canary-share must be a percentage above 0 and at most 50 %");
    }
}
