package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.BakeStates;
import io.prodgate.core.canary.Evaluation;
import io.prodgate.core.canary.StepProgress;
import io.prodgate.testkit.Behaviour;
import io.prodgate.testkit.LoadGenerator;
import io.prodgate.testkit.LocalPrometheus;
import io.prodgate.testkit.SampleService;
import io.prodgate.testkit.ScrapeTarget;
import io.prodgate.testkit.TrafficSplitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prodgate canary} on a progressive canary, live: a real Prometheus scrapes real sample services, and the gate
 * file's HTTP traffic action moves the split of real load through a {@link TrafficSplitter}, the load balancer's admin
 * endpoint. Steps bake 10s (the shortest allowed), so each test takes under a minute; nothing waits on a fixed sleep,
 * and the timeouts only stop a hung run (a loaded 2-core CI is slower, and that is no failure).
 *
 * <p>Each scenario has its own stable and canary instance, labelled {@code scenario="..."}, so that no test reads
 * another's traffic, and a replay reads only the run it replays.
 */
@Timeout(240)
class ProgressiveCanaryIntegrationTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Requests per second in all: 3 a second reach the canary at 1 %; by the end of the last step it has served some
     * 2,500, several times the 530 that show a canary without bad events to be below the negligible 1 % bad (a tenth
     * of the 10 % budget), which is how it PASSes with no bad events on either side.
     */
    static final double RATE = 300;
    /**
     * The evaluations' interval in these gate files: three scrapes. A window with no scrape in it at all (the machine
     * stalled) can make Prometheus' extrapolated count since the bake's start come out lower than the window before,
     * which the gate takes for a broken query; the longer the window, the longer the stall that takes.
     */
    static final Duration INTERVAL = Duration.ofSeconds(3);
    static final Behaviour STABLE = Behaviour.defaults().withVersion("1.0.0").withLatencyMedianSeconds(0.005);
    static final Behaviour CANARY = STABLE.withVersion("1.1.0");
    static final List<String> SCENARIOS = List.of("pass", "fail", "noshift", "resume");

    static LocalPrometheus prometheus;
    static final Map<String, SampleService[]> services = new LinkedHashMap<>();
    static final List<AutoCloseable> closeAtEnd = new ArrayList<>();
    /** The load of the test that runs; stopped after it, so that tests do not load the machine for each other. */
    static final List<LoadGenerator> loads = new ArrayList<>();
    static PassRun passRun;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        assumeTrue(LocalPrometheus.isInstalled(), LocalPrometheus.INSTALL_HINT);
        LocalPrometheus.Builder p = LocalPrometheus.builder().scrapeInterval(Duration.ofSeconds(1));
        for (String scenario : SCENARIOS) {
            SampleService stable = own(SampleService.builder().name(scenario + "-stable").behaviour(STABLE).build()
                    .start());
            SampleService canary = own(SampleService.builder().name(scenario + "-canary").behaviour(CANARY).build()
                    .start());
            services.put(scenario, new SampleService[] {stable, canary});
            p.scrapeTarget(ScrapeTarget.of("checkout", stable, Map.of("scenario", scenario, "track", "stable")));
            p.scrapeTarget(ScrapeTarget.of("checkout", canary, Map.of("scenario", scenario, "track", "canary")));
        }
        prometheus = p.start();
    }

    @AfterAll
    static void stop() {
        for (int i = closeAtEnd.size() - 1; i >= 0; i--) {
            try {
                closeAtEnd.get(i).close();
            } catch (Exception ignored) {
                // the rest still stops
            }
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @AfterEach
    void stopLoad() {
        loads.forEach(LoadGenerator::stop);
        loads.clear();
    }

    static <T extends AutoCloseable> T own(T resource) {
        closeAtEnd.add(resource);
        return resource;
    }

    static SampleService stable(String scenario) {
        return services.get(scenario)[0];
    }

    static SampleService canary(String scenario) {
        return services.get(scenario)[1];
    }

    /**
     * The scenario's load balancer, at {@code canaryPercent} to begin with, in front of load at {@link #RATE}; returns
     * once Prometheus has seen that traffic, so that the bake's first window has a baseline to measure the split on.
     */
    static TrafficSplitter traffic(String scenario, double canaryPercent) throws Exception {
        canary(scenario).setBehaviour(CANARY);
        TrafficSplitter splitter = own(TrafficSplitter.start("stable", "canary", canaryPercent));
        LoadGenerator load = own(LoadGenerator.builder()
                .target("stable", stable(scenario).url(), 1)
                .target("canary", canary(scenario).url(), 1)
                .ratePerSecond(RATE)
                .concurrency(32)
                .maxDuration(Duration.ofMinutes(4))
                .maxRequests((long) (RATE * 240))
                .build());
        splitter.attach(load);
        loads.add(load);
        load.start();
        String track = canaryPercent > 0 ? "canary" : "stable";
        awaitCondition("Prometheus sees the " + track + " traffic of " + scenario, Duration.ofSeconds(60), () -> {
            OptionalDouble v = prometheus.queryValue("sum(increase(http_requests_total{scenario=\"" + scenario
                    + "\",track=\"" + track + "\"}[3s]))");
            return v.isPresent() && v.getAsDouble() > 0;
        });
        return splitter;
    }

    /**
     * The scenario's gate file: steps of 10s or so (the shortest a step may bake) judged every {@link #INTERVAL}, the
     * traffic action a POST to {@code trafficUrl} (a tolerance of 50 %: the first window after a shift still holds up
     * to a scrape interval of the old split, and should count as shifted, live and in a replay alike),
     * availability and latency (under 2.5 s, so that a loaded machine's pauses do not count) with 90 % objectives, and
     * the rollback section that switches the canary back to the stable release, which a FAIL runs.
     */
    static Path gateFile(String scenario, String trafficUrl, String stepBakes) throws IOException {
        String[] bakes = stepBakes.split(",");
        return GateFiles.write(dir, "gate-" + scenario + ".yaml", """
                version: 1
                prometheus:
                  url: %s
                  timeout: 5s
                  retries: 2
                canary:
                  selectors:
                    canary: 'scenario="%s",track="canary"'
                    baseline: 'scenario="%s",track="stable"'
                  interval: %ds
                  steps:
                    - { weight: 1%%, bake: %s }
                    - { weight: 10%%, bake: %s }
                    - { weight: 50%%, bake: %s }
                  traffic:
                    set: { http: { url: '%s', method: POST, body: '{"canary": ${weight}}', expectStatus: 200, timeout: 5s } }
                    settle: 10s
                    tolerance: 50%%
                  onFail: rollback
                  slos:
                    - name: availability
                      bad: 'sum(increase(http_requests_total{${selector},code=~"5.."}[${window}]))'
                      total: 'sum(increase(http_requests_total{${selector}}[${window}]))'
                      objective: 90
                    - name: latency
                      good: 'sum(increase(http_request_duration_seconds_bucket{${selector},le="2.5"}[${window}]))'
                      total: 'sum(increase(http_request_duration_seconds_count{${selector}}[${window}]))'
                      objective: 90
                rollback:
                  target: %s
                  action:
                    http: { method: POST, url: /admin/behaviour, body: '{"version":"%s","errorRate":0}', expectStatus: 200, timeout: 5s }
                  expectVersion: "%s"
                  deadline: 30s
                  pollInterval: 200ms
                  version: { http: { url: /version, jsonField: /version } }
                  health: { url: /healthz }
                  restoreWithin: 1m
                """.formatted(prometheus.url(), scenario, scenario, INTERVAL.toSeconds(), bakes[0].strip(),
                bakes[1].strip(), bakes[2].strip(), trafficUrl, canary(scenario).url(), STABLE.version(), STABLE.version()));
    }

    static JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /** Steps as the report gives them: weight and when seen (on the evaluation grid), as a replay must find them. */
    static List<String> steps(JsonNode report) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : report.path("steps")) {
            out.add(s.path("weight").asDouble() + "% seen at " + s.path("settledAt").asText());
        }
        return out;
    }

    /**
     * A replay begins each step at the evaluation that began it live; the live shift itself was made by the action
     * right after that evaluation, and may be recorded as made then (within the interval, however slow the action).
     */
    static void assertShiftedWhereTheReplayBeganEachStep(JsonNode live, JsonNode replay) {
        assertThat(live.path("steps")).hasSameSizeAs(replay.path("steps"));
        for (int i = 0; i < live.path("steps").size(); i++) {
            Instant began = Instant.parse(replay.path("steps").get(i).path("shiftedAt").asText());
            assertThat(Instant.parse(live.path("steps").get(i).path("shiftedAt").asText())).as("step %d", i + 1)
                    .isAfterOrEqualTo(began).isBefore(began.plus(INTERVAL));
        }
    }

    /** {@code at} on the evaluation grid of a bake that began at {@code start}. */
    static boolean onGrid(Instant start, Instant at) {
        return Duration.between(start, at).toMillis() % INTERVAL.toMillis() == 0;
    }

    static void awaitCondition(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** The live PASS run, made once: the PASS test checks it, the replay test replays its window. */
    record PassRun(CliRun run, JsonNode report, TrafficSplitter splitter, Path gate) {
    }

    static synchronized PassRun passRun() throws Exception {
        if (passRun == null) {
            TrafficSplitter splitter = traffic("pass", 0);
            Path gate = gateFile("pass", splitter.weightsUrl(), "10s, 10s, 10s");
            Path report = dir.resolve("pass.json");
            CliRun run = CliRun.of("canary", "--config", gate.toString(), "--report-json", report.toString());
            passRun = new PassRun(run, Files.exists(report) ? json(report) : null, splitter, gate);
        }
        return passRun;
    }

    @Test
    void aHealthyCanaryIsShiftedThroughEveryStepAndPassesAtTheEndOfTheLast() throws Exception {
        PassRun pass = passRun();
        CliRun run = pass.run();
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(pass.splitter().postedShifts()).as("the gate file's action, one POST a step")
                .containsExactly(1.0, 10.0, 50.0);
        assertThat(pass.splitter().canaryPercent()).as("a PASS leaves the canary where the last step put it")
                .isEqualTo(50.0);
        assertThat(run.out()).containsSubsequence("canary gate: step 1: 1 % of the traffic to the canary",
                "canary gate: step 2: 10 % of the traffic to the canary",
                "canary gate: step 3: 50 % of the traffic to the canary", "canary gate: PASS");

        JsonNode r = pass.report();
        assertThat(r.path("verdict").asText()).isEqualTo("PASS");
        assertThat(r.path("mode").asText()).isEqualTo("live");
        assertThat(r.path("restore").isNull()).as("nothing to roll back after a PASS").isTrue();
        JsonNode steps = r.path("steps");
        assertThat(steps).hasSize(3);
        double[] weights = {1, 10, 50};
        for (int i = 0; i < 3; i++) {
            JsonNode s = steps.get(i);
            assertThat(s.path("weight").asDouble()).isEqualTo(weights[i]);
            // the split Prometheus measured is the one asked for: the action really moved the traffic (at 1 %, a
            // window holds a handful of canary requests, so only some is asked of it)
            assertThat(s.path("settledAt").isTextual()).as("step %d seen", i + 1).isTrue();
            assertThat(s.path("measuredShare").asDouble()).as("step %d's measured share", i + 1).isGreaterThan(0)
                    .isBetween(i == 0 ? 0 : weights[i] * 0.5, i == 0 ? 2.5 : weights[i] * 1.5);
            assertThat(s.path("slos").get(0).path("canary").path("total").asDouble()).as("step %d's canary requests",
                    i + 1).isGreaterThan(0);
        }
        // each step bakes for its own bake from when its shift was seen (the next one begins at the first evaluation
        // after that, its shift made right then), the PASS at the end of the last one
        Instant start = Instant.parse(r.path("startedAt").asText());
        Instant secondSeen = Instant.parse(steps.get(1).path("settledAt").asText());
        assertThat(onGrid(start, secondSeen)).isTrue();
        assertThat(Instant.parse(steps.get(2).path("shiftedAt").asText()))
                .isAfterOrEqualTo(secondSeen.plusSeconds(10)).isBefore(secondSeen.plusSeconds(10).plus(INTERVAL));
        assertThat(Instant.parse(r.path("decidedAt").asText()))
                .isEqualTo(Instant.parse(steps.get(2).path("settledAt").asText()).plusSeconds(10));
        // the canary served far more at 50 % than at 1 %: a share, not a label
        assertThat(steps.get(2).path("slos").get(0).path("canary").path("total").asDouble())
                .isGreaterThan(10 * steps.get(0).path("slos").get(0).path("canary").path("total").asDouble());
    }

    @Test
    void aReplayOfThePassedRolloutsWindowJudgesTheSameStepsAndVerdictWithoutShiftingAnything() throws Exception {
        PassRun pass = passRun();
        assertThat(pass.run().exitCode()).as(pass.run().out() + pass.run().err()).isZero();
        JsonNode live = pass.report();
        long postsBefore = pass.splitter().posts();

        Path report = dir.resolve("pass-replay.json");
        CliRun replay = CliRun.of("canary", "--config", pass.gate().toString(),
                "--from", live.path("startedAt").asText(), "--to", live.path("decidedAt").asText(),
                "--report-json", report.toString());
        assertThat(replay.exitCode()).as(replay.out() + replay.err()).isZero();
        assertThat(pass.splitter().posts()).as("a replay runs no traffic action").isEqualTo(postsBefore);
        assertThat(replay.out()).contains("canary gate: replaying").doesNotContain("of the traffic to the canary (");

        JsonNode again = json(report);
        assertThat(again.path("mode").asText()).isEqualTo("replay");
        assertThat(again.path("verdict").asText()).isEqualTo("PASS");
        // the shares Prometheus stored move the replay through the same steps at the same times
        assertThat(steps(again)).hasSize(3).isEqualTo(steps(live));
        assertShiftedWhereTheReplayBeganEachStep(live, again);
        assertThat(again.path("decidedAt")).isEqualTo(live.path("decidedAt"));
    }

    @Test
    void aRegressionThatStartsAtTheSecondStepFailsThereAndIsRolledBackWithItsTimeToRestore() throws Exception {
        String scenario = "fail";
        TrafficSplitter splitter = traffic(scenario, 0);
        SampleService canary = canary(scenario);
        // the regression starts exactly when step 2's shift reaches the load balancer
        Behaviour broken = CANARY.withErrorRate(0.3);
        splitter.onPost(percent -> {
            if (percent == 10) {
                canary.setBehaviour(broken);
            }
        });
        Path gate = gateFile(scenario, splitter.weightsUrl(), "10s, 20s, 10s");
        Path report = dir.resolve("fail.json");

        CliRun run = CliRun.of("canary", "--config", gate.toString(), "--report-json", report.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        JsonNode r = json(report);
        assertThat(r.path("verdict").asText()).isEqualTo("FAIL");
        assertThat(r.path("steps")).as("failed in step 2, before step 3").hasSize(2);
        Instant regressedFrom = Instant.parse(r.path("steps").get(1).path("shiftedAt").asText());
        Instant decided = Instant.parse(r.path("decidedAt").asText());
        assertThat(decided).isAfter(regressedFrom).isBefore(regressedFrom.plusSeconds(20));
        assertThat(r.path("reasonDetails").get(0).path("subject").asText()).isEqualTo("availability");
        assertThat(r.path("reasonDetails").get(0).path("type").asText()).isIn("REGRESSION", "BREACH");

        // the automatic rollback: the canary's weight to 0 first, then the rollback section
        assertThat(splitter.postedShifts()).containsExactly(1.0, 10.0, 0.0);
        assertThat(canary.behaviour().version()).as("the rollback section's action ran").isEqualTo("1.0.0");
        assertThat(canary.behaviour().errorRate()).isZero();
        JsonNode restore = r.path("restore");
        assertThat(restore.path("restored").asBoolean()).as(restore.toString()).isTrue();
        assertThat(restore.path("withinTarget").asBoolean()).isTrue();
        assertThat(restore.path("restoreWithin").asDouble()).isEqualTo(60.0);
        assertThat(restore.path("timeToRestore").isNumber()).isTrue();
        assertThat(restore.path("timeToRestore").asDouble()).isGreaterThan(0).isLessThan(60);
        assertThat(Duration.between(Instant.parse(restore.path("from").asText()),
                Instant.parse(restore.path("until").asText())).toMillis() / 1000.0)
                .isCloseTo(restore.path("timeToRestore").asDouble(), org.assertj.core.data.Offset.offset(0.01));
        assertThat(run.out()).containsSubsequence("canary gate: FAIL", "canary gate: rolling back (FAIL)",
                "canary gate: restored in");
    }

    @Test
    void aShiftThatNeverTakesEffectIsInconclusiveAsTrafficNotShifted() throws Exception {
        String scenario = "noshift";
        TrafficSplitter balancer = traffic(scenario, 30);
        // an admin endpoint that answers 200 and changes nothing: a load balancer, not the one in front of the canary
        TrafficSplitter elsewhere = own(TrafficSplitter.start("stable", "canary", 30));
        Path gate = gateFile(scenario, elsewhere.weightsUrl(), "10s, 10s, 10s");
        Path report = dir.resolve("noshift.json");

        CliRun run = CliRun.of("canary", "--config", gate.toString(), "--report-json", report.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(elsewhere.postedShifts()).as("the action ran, and was answered 200").containsExactly(1.0);
        assertThat(balancer.canaryPercent()).isEqualTo(30.0);
        JsonNode r = json(report);
        assertThat(r.path("verdict").asText()).isEqualTo("INCONCLUSIVE");
        JsonNode reason = r.path("reasonDetails").get(0);
        assertThat(reason.path("type").asText()).isEqualTo("TRAFFIC_NOT_SHIFTED");
        assertThat(reason.path("message").asText()).contains("step 1 of 3 asked for 1 % of the traffic",
                "after the settle time of 10s");
        JsonNode step = r.path("steps").get(0);
        assertThat(step.path("settledAt").isNull()).isTrue();
        assertThat(step.path("measuredShare").asDouble()).as("the canary kept its 30 %").isBetween(20.0, 40.0);
        // it gave up at the first evaluation past the settle bound, not before and not later
        Instant shifted = Instant.parse(step.path("shiftedAt").asText());
        assertThat(Instant.parse(r.path("decidedAt").asText())).isAfterOrEqualTo(shifted.plusSeconds(10))
                .isBefore(shifted.plusSeconds(10).plus(INTERVAL));
        assertThat(r.path("restore").isNull()).as("onInconclusive: none").isTrue();
    }

    /**
     * The CLI killed mid step 2 (SIGKILL: no clean-up runs), then started again on the same state file: it resumes in
     * step 2, where the bake was, and reaches the verdict an uninterrupted judgement of the same traffic reaches.
     */
    @Test
    void aRolloutKilledInItsSecondStepResumesThereFromItsStateAndPasses() throws Exception {
        String scenario = "resume";
        TrafficSplitter splitter = traffic(scenario, 0);
        // step 2 long enough that the new process is back well before it ends
        Path gate = gateFile(scenario, splitter.weightsUrl(), "10s, 15s, 10s");
        Path state = dir.resolve("resume-state.json");
        Path log = dir.resolve("resume-killed.log");
        Process first = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "canary", "--config", gate.toString(), "--state", state.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        BakeState saved;
        try {
            awaitCondition("the bake's state shows step 2's shift seen", Duration.ofSeconds(120), () -> {
                BakeState s = readState(state);
                return s != null && s.steps().size() == 2 && s.steps().get(1).settled() || !first.isAlive();
            });
            assertThat(first.isAlive()).as(Files.readString(log)).isTrue();
        } finally {
            first.destroyForcibly();
        }
        assertThat(first.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as("killed, not finished").isNotZero();
        saved = BakeStates.read(state);
        assertThat(saved.decided()).isFalse();
        StepProgress second = saved.steps().get(1);
        assertThat(splitter.postedShifts()).containsExactly(1.0, 10.0);
        assertThat(splitter.canaryPercent()).as("SIGKILL left the split where it was").isEqualTo(10.0);

        Path report = dir.resolve("resume.json");
        CliRun resumed = CliRun.of("canary", "--config", gate.toString(), "--state", state.toString(),
                "--report-json", report.toString());

        assertThat(resumed.exitCode()).as(Files.readString(log) + resumed.out() + resumed.err()).isZero();
        assertThat(resumed.out()).contains("(resumed after " + saved.evaluations().size() + " evaluations)");
        // step 2 asked for again (the same weight: idempotent), then step 3; step 1 not again
        assertThat(splitter.postedShifts()).containsExactly(1.0, 10.0, 10.0, 50.0);
        BakeState done = BakeStates.read(state);
        assertThat(done.decision().verdict().name()).isEqualTo("PASS");
        assertThat(done.evaluations()).as("the evaluations made before the kill, kept")
                .startsWith(saved.evaluations().toArray(new Evaluation[0]));
        assertThat(done.steps()).hasSize(3);
        assertThat(done.steps().get(1)).as("resumed in step 2, not begun again").isEqualTo(second);
        JsonNode r = json(report);
        assertThat(r.path("verdict").asText()).isEqualTo("PASS");

        // what an uninterrupted judgement of the same traffic decides: a replay of the window, in one go
        Path replayed = dir.resolve("resume-replay.json");
        CliRun replay = CliRun.of("canary", "--config", gate.toString(), "--from", done.startedAt().toString(),
                "--to", done.decision().decidedAt().toString(), "--report-json", replayed.toString());
        assertThat(replay.exitCode()).as(replay.out()).isZero();
        JsonNode uninterrupted = json(replayed);
        assertThat(steps(uninterrupted)).isEqualTo(steps(r));
        assertShiftedWhereTheReplayBeganEachStep(r, uninterrupted);
        assertThat(uninterrupted.path("decidedAt")).isEqualTo(r.path("decidedAt"));
    }

    static BakeState readState(Path file) {
        try {
            return Files.exists(file) ? BakeStates.read(file) : null;
        } catch (IOException e) {
            return null; // being replaced: read it again next time
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
