package io.prodgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.EvidenceSource;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.StepProgress;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFiles;
import io.prodgate.core.http.LocalServer;
import io.prodgate.core.metrics.GateMetrics;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The canary run of a progressive canary: it shifts traffic at each step, and rolls back after a FAIL, timed. */
@Timeout(60)
class CanaryRolloutRunTest {
    static final Instant T0 = CanaryRunTest.T0;

    @TempDir
    Path dir;

    final RecordingOutput output = new RecordingOutput();
    final GateMetrics metrics = GateMetrics.create();
    final RollbackTarget service = new RollbackTarget();

    @AfterEach
    void stop() {
        service.close();
    }

    GateFile gate(String extra) {
        return GateFiles.load(dir, """
                version: 1
                canary:
                  selectors:
                    canary: 'track="canary"'
                    baseline: 'track="stable"'
                  interval: 1m
                  steps:
                    - { weight: 1%%, bake: 5m }
                    - { weight: 10%%, bake: 5m }
                    - { weight: 50%%, bake: 5m }
                  traffic: { settle: 2m }
                  onFail: rollback
                  slos:
                    - name: availability
                      bad: 'sum(increase(errors{${selector}}[${window}]))'
                      total: 'sum(increase(requests{${selector}}[${window}]))'
                      objective: 99
                rollback:
                  target: %s
                  action: { http: { url: /deploy/rollback, method: POST, expectStatus: 202 } }
                  expectVersion: "1.4.1"
                  version: { http: { url: /version, jsonField: /version } }
                  deadline: 5s
                  pollInterval: 50ms
                %s""".formatted(service.url(), extra));
    }

    /** A load balancer's split of 2,000 requests a second, moved by the traffic control the run is given. */
    static final class Balancer implements TrafficControl, EvidenceSource {
        final List<Double> asked = new ArrayList<>();
        double weight;
        double canaryBad = 0.005;
        Instant regressionFrom = Instant.MAX;

        @Override
        public String setWeight(double w) {
            asked.add(w);
            weight = w;
            return "set " + w;
        }

        @Override
        public List<SloEvidence> collect(io.prodgate.core.canary.CanarySpec spec, Instant start, Instant from,
                                         Instant at) {
            double seconds = Duration.between(from, at).toSeconds();
            double canary = Math.round(2000 * seconds * weight);
            double baseline = Math.round(2000 * seconds * (1 - weight));
            double bad = at.isAfter(regressionFrom) ? 0.08 : canaryBad;
            return List.of(new SloEvidence("availability", Reading.counts(Math.round(canary * bad), canary),
                    Reading.counts(Math.round(baseline * 0.005), baseline)));
        }
    }

    RunContext context(CanaryRunTest.MovingClock clock) {
        return RunContext.builder().clock(clock).env(java.util.Map.of()).progress(output).files(output)
                .metrics(metrics, "checkout").build();
    }

    @Test
    void aHealthyRolloutShiftsAtEveryStepAndPassesAtTheEndOfTheLast() throws Exception {
        Balancer lb = new Balancer();
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        CanaryRun run = CanaryRun.of(gate(""), CanaryOverrides.none());
        CanaryRun.Bake bake = run.bake(context(clock), lb, ProofRequirement.none()).shifting(lb);
        List<String> shifts = new ArrayList<>();
        BakeState done = bake.run(bake.start(), clock, CanaryRun.StateStore.NONE, new BakeListener() {
            @Override
            public void shifted(StepProgress step, String what) {
                shifts.add((step.index() + 1) + ": " + what);
            }
        });
        assertThat(done.decision().verdict()).as(done.decision().reasons().toString()).isEqualTo(Verdict.PASS);
        assertThat(lb.asked).containsExactly(0.01, 0.10, 0.50);
        assertThat(shifts).containsExactly("1: set 0.01", "2: set 0.1", "3: set 0.5");
        CanaryReport report = bake.finish(done, ReportFiles.none());
        assertThat(report.restore()).as("nothing to roll back after a PASS").isNull();
        assertThat(report.steps()).extracting(CanaryReport.StepReport::weight).containsExactly(1.0, 10.0, 50.0);
        assertThat(report.steps().get(2).slos().get(0).canary().total()).isGreaterThan(0);
        String html = io.prodgate.core.report.CanaryHtml.render(report);
        assertThat(html).contains("id=\"steps\"", "class=\"step-label\"")
                .contains(">1 %</text>", ">10 %</text>", ">50 %</text>");
        assertThat(html.split("class=\"step\"", -1)).as("a line per step on the SLO's timeline").hasSize(4);
        assertThat(service.version.get()).isEqualTo("1.5.0");
    }

    @Test
    void aRegressionAtTheSecondStepFailsThereAndIsRolledBackWithItsTimeToRestore() throws Exception {
        Balancer lb = new Balancer();
        lb.regressionFrom = T0.plus(Duration.ofMinutes(8));
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        CanaryRun run = CanaryRun.of(gate(""), CanaryOverrides.none());
        CanaryRun.Bake bake = run.bake(context(clock), lb, ProofRequirement.none()).shifting(lb);
        BakeState done = bake.run(bake.start(), clock, CanaryRun.StateStore.NONE, BakeListener.SILENT);
        assertThat(done.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(done.steps()).hasSize(2);

        CanaryReport report = bake.finish(done, ReportFiles.of(dir.resolve("r.json"), null, null));
        assertThat(lb.asked).as("the weight to 0 first, the fastest lever").containsExactly(0.01, 0.10, 0.0);
        assertThat(service.version.get()).as("then the rollback section").isEqualTo("1.4.1");
        CanaryReport.Restore restore = report.restore();
        assertThat(restore.restored()).isTrue();
        assertThat(restore.withinTarget()).isTrue();
        assertThat(restore.restoreWithin()).isEqualTo(300.0);
        assertThat(restore.timeToRestore()).isGreaterThanOrEqualTo(0.0);
        assertThat(output.files.get(dir.resolve("r.json"))).contains("\"restore\"", "\"restored\" : true");
        assertThat(String.join("", output.lines)).contains("canary gate: rolling back (FAIL)", "restored in");
        assertThat(RecordingOutput.scrape(metrics))
                .contains("prodgate_restore_duration_seconds_count{restored=\"true\",service=\"checkout\"} 1");
    }

    @Test
    void aRestoreSlowerThanRestoreWithinIsAReasonOfItsOwn() throws Exception {
        Balancer lb = new Balancer();
        lb.canaryBad = 0.08;
        // every reading of the clock is ten seconds later: the restore takes longer than the 5s allowed
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0) {
            @Override
            public Instant instant() {
                sleep(Duration.ofSeconds(10));
                slept.clear();
                return super.instant();
            }
        };
        CanaryRun run = CanaryRun.of(gate("  restoreWithin: 5s\n"), CanaryOverrides.none());
        CanaryRun.Bake bake = run.bake(context(clock), lb, ProofRequirement.none()).shifting(lb);
        BakeState done = bake.run(bake.start(), clock, CanaryRun.StateStore.NONE, BakeListener.SILENT);
        assertThat(done.decision().verdict()).isEqualTo(Verdict.FAIL);
        CanaryReport.Restore restore = bake.finish(done, ReportFiles.none()).restore();
        assertThat(restore.restored()).isTrue();
        assertThat(restore.withinTarget()).isFalse();
        assertThat(restore.reasons()).anySatisfy(r -> assertThat(r).startsWith("restoring took ")
                .endsWith(", longer than rollback.restoreWithin (5s)"));
    }

    @Test
    void aTrafficActionThatFailsStopsTheBakeAsNotShifted() throws Exception {
        Balancer lb = new Balancer();
        TrafficControl broken = w -> {
            if (w > 0.05) {
                throw new IllegalStateException("HTTP 503 from the load balancer");
            }
            return lb.setWeight(w);
        };
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        List<BakeState> saved = new ArrayList<>();
        CanaryRun run = CanaryRun.of(gate(""), CanaryOverrides.none());
        CanaryRun.Bake bake = run.bake(context(clock), lb, ProofRequirement.none()).shifting(broken);
        BakeState done = bake.run(bake.start(), clock, saved::add, BakeListener.SILENT);
        assertThat(done.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(done.decision().reasons()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.TRAFFIC_NOT_SHIFTED);
            assertThat(r.message()).isEqualTo("the traffic action for step 2 (10 % on the canary) failed: "
                    + "HTTP 503 from the load balancer");
        });
        assertThat(saved).last().isEqualTo(done);
        assertThat(bake.finish(done, ReportFiles.none()).restore()).as("onInconclusive is not set").isNull();
    }

    @Test
    void aReplayReadsTheRecordedSharesAndNeverShifts() throws Exception {
        Balancer lb = new Balancer();
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        CanaryRun live = CanaryRun.of(gate(""), CanaryOverrides.none());
        CanaryRun.Bake bake = live.bake(context(clock), lb, ProofRequirement.none()).shifting(lb);
        BakeState straight = bake.run(bake.start(), clock, CanaryRun.StateStore.NONE, BakeListener.SILENT);

        // the same history, replayed: the shares come from what was recorded, here the weights at each time
        List<StepProgress> steps = straight.steps();
        EvidenceSource history = (spec, start, from, at) -> {
            double w = steps.stream().filter(p -> !p.shiftedAt().isAfter(from)).reduce((a, b) -> b)
                    .orElseThrow().weight();
            lb.weight = w;
            return lb.collect(spec, start, from, at);
        };
        CanaryRun replay = CanaryRun.of(gate(""), CanaryOverrides.none()
                .withReplay(new CanaryOverrides.Window(T0, straight.decision().decidedAt())));
        List<Double> asked = new ArrayList<>();
        CanaryRun.Bake replayed = replay.bake(context(clock), history, ProofRequirement.none())
                .shifting(w -> {
                    asked.add(w);
                    return "";
                });
        BakeState again = replayed.run(replayed.start(), CanaryRunTest.noWaiting(), CanaryRun.StateStore.NONE,
                BakeListener.SILENT);
        assertThat(asked).isEmpty();
        assertThat(again.decision()).isEqualTo(straight.decision());
        assertThat(again.steps()).isEqualTo(straight.steps());
    }

    @Test
    void theGateFilesTrafficActionReceivesEachStepsWeightInPercent() throws Exception {
        LocalServer lb = LocalServer.start().route("/weights", 200, "ok");
        try (lb) {
            GateFile gate = GateFiles.load(dir, Files.readString(gate("").source()).replace("traffic: { settle: 2m }",
                    "traffic:\n    settle: 2m\n    set: { http: { url: '" + lb.url() + "/weights', method: POST, "
                            + "body: '{\"canary\": ${weight}}', expectStatus: 200 } }"));
            assertThat(gate.traffic()).isPresent();
            CanaryRun run = CanaryRun.of(gate, CanaryOverrides.none());
            TrafficControl traffic = run.trafficFromGateFile(context(new CanaryRunTest.MovingClock(T0)));
            assertThat(traffic.setWeight(0.10)).contains("200");
            assertThat(lb.last("/weights").body()).isEqualTo("{\"canary\": 10}");
            traffic.setWeight(0.005);
            assertThat(lb.last("/weights").body()).isEqualTo("{\"canary\": 0.5}");
            assertThat(lb.hits("/weights")).isEqualTo(2);
        }
    }
}
