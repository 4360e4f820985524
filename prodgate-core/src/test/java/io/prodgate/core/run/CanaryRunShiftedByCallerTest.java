package io.prodgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.StepProgress;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFiles;
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

/**
 * A progressive canary whose caller shifts the traffic itself, between calls (a CI step running the pipeline's own
 * code at each step), and what a caller that must not run commands where it runs learns about a gate file.
 */
@Timeout(60)
class CanaryRunShiftedByCallerTest {
    static final Instant T0 = CanaryRunTest.T0;

    @TempDir
    Path dir;

    final RecordingOutput output = new RecordingOutput();
    final RollbackTarget service = new RollbackTarget();

    @AfterEach
    void stop() {
        service.close();
    }

    GateFile gate(String canaryExtra, String rollbackAction, String extra) {
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
                  onFail: rollback
                  slos:
                    - name: availability
                      bad: 'sum(increase(errors{${selector}}[${window}]))'
                      total: 'sum(increase(requests{${selector}}[${window}]))'
                      objective: 99
                %s
                rollback:
                  target: %s
                  action: %s
                  expectVersion: "1.4.1"
                  version: { http: { url: /version, jsonField: /version } }
                  deadline: 5s
                  pollInterval: 50ms
                %s""".formatted(canaryExtra, service.url(), rollbackAction, extra));
    }

    GateFile gate() {
        return gate("  traffic: { settle: 2m }",
                "{ http: { url: /deploy/rollback, method: POST, expectStatus: 202 } }", "");
    }

    RunContext context(CanaryRunTest.MovingClock clock) {
        return RunContext.builder().clock(clock).env(java.util.Map.of()).progress(output).files(output).build();
    }

    /** A caller like the Jenkins step: wakes up at each evaluation and shifts itself when the bake says so. */
    static final class Caller {
        final CanaryRolloutRunTest.Balancer lb = new CanaryRolloutRunTest.Balancer();
        final List<String> shifts = new ArrayList<>();
        final List<BakeState> saved = new ArrayList<>();
        int shiftsDone;

        BakeState drive(CanaryRun.Bake bake, BakeState start, CanaryRunTest.MovingClock clock) throws Exception {
            BakeListener listener = new BakeListener() {
                @Override
                public void shifted(StepProgress step, String what) {
                    shifts.add((step.index() + 1) + ": " + what);
                }
            };
            BakeState state = start;
            while (!state.decided()) {
                Optional<StepProgress> due = bake.shiftDue(state, shiftsDone);
                if (due.isPresent()) {
                    assertThat(bake.shiftDue(state, shiftsDone + 1)).as("one shift at a time").isEmpty();
                    state = bake.shifted(state, due.get(), "block " + lb.setWeight(due.get().weight()), saved::add,
                            listener);
                    shiftsDone++;
                    continue;
                }
                clock.sleep(Duration.between(clock.instant(), state.nextEvaluationAt()));
                state = bake.advance(state, clock.instant(), saved::add, listener);
            }
            return state;
        }
    }

    @Test
    void theBakeStopsAtEveryNewStepForTheCallersShiftAndPassesAtTheEndOfTheLast() throws Exception {
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        Caller caller = new Caller();
        CanaryRun run = CanaryRun.of(gate(), CanaryOverrides.none());
        CanaryRun.Bake bake = run.bake(context(clock), caller.lb, ProofRequirement.none()).shiftedByCaller();
        BakeState start = bake.start(T0);
        assertThat(bake.shiftDue(start, 0)).as("the first step's, at the start").get()
                .extracting(StepProgress::weight).isEqualTo(0.01);
        assertThat(bake.shiftToCurrentStep(start, CanaryRun.StateStore.NONE, BakeListener.SILENT))
                .as("the bake never shifts itself").isSameAs(start);
        assertThat(caller.lb.asked).isEmpty();

        BakeState done = caller.drive(bake, start, clock);
        assertThat(done.decision().verdict()).as(done.decision().reasons().toString()).isEqualTo(Verdict.PASS);
        assertThat(caller.lb.asked).containsExactly(0.01, 0.10, 0.50);
        assertThat(caller.shifts).containsExactly("1: block set 0.01", "2: block set 0.1", "3: block set 0.5");
        assertThat(bake.shiftDue(done, caller.shiftsDone)).isEmpty();
        assertThat(bake.rollsBack(done)).isFalse();
        assertThat(bake.finish(done, ReportFiles.none()).steps()).hasSize(3);
    }

    @Test
    void aBakeResumedBeforeTheCallersShiftAsksForItAgain() throws Exception {
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        Caller caller = new Caller();
        CanaryRun.Bake bake = CanaryRun.of(gate(), CanaryOverrides.none())
                .bake(context(clock), caller.lb, ProofRequirement.none()).shiftedByCaller();
        BakeState state = bake.start(T0);
        caller.lb.setWeight(0.01);
        caller.shiftsDone = 1;
        // far past the first step: advance stops at the evaluation that begins the second one
        BakeState stopped = bake.advance(state, T0.plus(Duration.ofMinutes(30)), caller.saved::add,
                BakeListener.SILENT);
        assertThat(stopped.decided()).isFalse();
        assertThat(stopped.steps()).hasSize(2);
        assertThat(stopped.nextEvaluationAt()).isBefore(T0.plus(Duration.ofMinutes(30)));
        assertThat(caller.saved).last().isEqualTo(stopped);
        // what the caller saved is all it needs after a restart: the count of shifts it made
        assertThat(bake.shiftDue(caller.saved.get(caller.saved.size() - 1), 1)).get()
                .extracting(StepProgress::index).isEqualTo(1);
    }

    /** A load balancer that records its split over time: a shift takes effect only when it is made. */
    static final class RecordedSplit implements io.prodgate.core.canary.EvidenceSource {
        final List<Instant> since = new ArrayList<>(List.of(Instant.EPOCH));
        final List<Double> weights = new ArrayList<>(List.of(0.0));

        void set(Instant at, double weight) {
            since.add(at);
            weights.add(weight);
        }

        @Override
        public List<io.prodgate.core.canary.SloEvidence> collect(CanarySpec spec, Instant start, Instant from,
                                                                 Instant at) {
            double canary = 0;
            double seconds = Duration.between(from, at).toSeconds();
            for (int i = 0; i < since.size(); i++) {
                Instant a = since.get(i).isAfter(from) ? since.get(i) : from;
                Instant b = i + 1 < since.size() && since.get(i + 1).isBefore(at) ? since.get(i + 1) : at;
                if (b.isAfter(a)) {
                    canary += 2000 * Duration.between(a, b).toSeconds() * weights.get(i);
                }
            }
            double baseline = 2000 * seconds - canary;
            return List.of(new io.prodgate.core.canary.SloEvidence("availability",
                    io.prodgate.core.canary.Reading.counts(Math.round(canary * 0.005), Math.round(canary)),
                    io.prodgate.core.canary.Reading.counts(Math.round(baseline * 0.005), Math.round(baseline))));
        }
    }

    @Test
    void aSlowShiftCountsItsSettleTimeFromWhenItWasMade() throws Exception {
        RecordedSplit split = new RecordedSplit();
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        CanaryRun.Bake bake = CanaryRun.of(gate(), CanaryOverrides.none())
                .bake(context(clock), split, ProofRequirement.none()).shiftedByCaller();
        BakeState state = bake.start(T0);
        int shiftsDone = 0;
        while (!state.decided()) {
            Optional<StepProgress> due = bake.shiftDue(state, shiftsDone);
            if (due.isPresent()) {
                // each shift takes three minutes (an agent to wait for), longer than the settle time of 2m
                clock.sleep(Duration.ofMinutes(3));
                split.set(clock.instant(), due.get().weight());
                state = bake.shifted(state, due.get(), "", CanaryRun.StateStore.NONE, BakeListener.SILENT);
                assertThat(state.currentStep().orElseThrow().shiftedAt()).isEqualTo(clock.instant());
                shiftsDone++;
                continue;
            }
            if (state.nextEvaluationAt().isAfter(clock.instant())) {
                clock.sleep(Duration.between(clock.instant(), state.nextEvaluationAt()));
            }
            state = bake.advance(state, clock.instant(), CanaryRun.StateStore.NONE, BakeListener.SILENT);
        }
        assertThat(state.decision().verdict()).as(state.decision().reasons().toString()).isEqualTo(Verdict.PASS);
        assertThat(shiftsDone).isEqualTo(3);
        assertThat(state.steps()).allSatisfy(p -> assertThat(p.settled()).isTrue());
    }

    @Test
    void aResumedBakeThatCatchesUpAcrossAStepGivesTheLateShiftItsSettleTime() throws Exception {
        RecordedSplit split = new RecordedSplit();
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        TrafficControl action = w -> {
            split.set(clock.instant(), w);
            return "set " + w;
        };
        CanaryRun.Bake bake = CanaryRun.of(gate(), CanaryOverrides.none())
                .bake(context(clock), split, ProofRequirement.none()).shifting(action);
        List<BakeState> saved = new ArrayList<>();
        BakeState state = bake.shiftToCurrentStep(bake.start(T0), saved::add, BakeListener.SILENT);
        // down for half an hour: the second step began at 6m, on a point of the grid caught up on at 30m, when its
        // shift is made; the windows up to then still show 1 % on the canary
        clock.sleep(Duration.ofMinutes(30));
        state = bake.advance(state, clock.instant(), saved::add, BakeListener.SILENT);
        assertThat(state.decided()).as(String.valueOf(state.decision())).isFalse();
        assertThat(state.currentStep().orElseThrow().shiftedAt()).isEqualTo(clock.instant());
        assertThat(saved).last().isEqualTo(state);
        while (!state.decided()) {
            clock.sleep(Duration.between(clock.instant(), state.nextEvaluationAt()));
            state = bake.advance(state, clock.instant(), saved::add, BakeListener.SILENT);
        }
        assertThat(state.decision().verdict()).as(state.decision().reasons().toString()).isEqualTo(Verdict.PASS);
        assertThat(split.weights).containsExactly(0.0, 0.01, 0.10, 0.50);
    }

    @Test
    void aShiftThatFailedStopsTheBakeAsNotShifted() throws Exception {
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        CanaryRun.Bake bake = CanaryRun.of(gate(), CanaryOverrides.none())
                .bake(context(clock), new CanaryRolloutRunTest.Balancer(), ProofRequirement.none()).shiftedByCaller();
        BakeState start = bake.start(T0);
        List<BakeState> saved = new ArrayList<>();
        BakeState done = bake.notShifted(start, bake.shiftDue(start, 0).orElseThrow(),
                "script returned exit code 1", saved::add);
        assertThat(done.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(done.decision().reasons()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.TRAFFIC_NOT_SHIFTED);
            assertThat(r.message()).isEqualTo("the traffic action for step 1 (1 % on the canary) failed: "
                    + "script returned exit code 1");
        });
        assertThat(saved).containsExactly(done);
    }

    @Test
    void aRollbackAfterTheCallerTookTheCanaryOutOfTrafficRecordsWhatTheCallerDid() throws Exception {
        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        Caller caller = new Caller();
        caller.lb.regressionFrom = T0.plus(Duration.ofMinutes(8));
        List<Double> askedOfTheRecord = new ArrayList<>();
        CanaryRun.Bake bake = CanaryRun.of(gate(), CanaryOverrides.none())
                .bake(context(clock), caller.lb, ProofRequirement.none())
                .shifting(w -> {
                    askedOfTheRecord.add(w);
                    return "the pipeline's block set 0";
                })
                .shiftedByCaller();
        BakeState done = caller.drive(bake, bake.start(T0), clock);
        assertThat(done.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(bake.rollsBack(done)).isTrue();
        assertThat(bake.takeOutOfTraffic()).as("the caller does that itself").isEmpty();

        CanaryReport.Restore restore = bake.finish(done, ReportFiles.none()).restore();
        assertThat(askedOfTheRecord).containsExactly(0.0);
        assertThat(restore.restored()).isTrue();
        assertThat(service.version.get()).isEqualTo("1.4.1");
        assertThat(String.join("", output.lines)).contains("canary gate: rolling back (FAIL)");
    }

    @Test
    void aBakeShiftedByItsCallerIsNotRunHere() throws Exception {
        CanaryRun.Bake bake = CanaryRun.of(gate(), CanaryOverrides.none())
                .bake(context(new CanaryRunTest.MovingClock(T0)), new CanaryRolloutRunTest.Balancer(),
                        ProofRequirement.none()).shiftedByCaller();
        assertThatThrownBy(() -> bake.run(bake.start(T0), CanaryRunTest.noWaiting(), CanaryRun.StateStore.NONE,
                BakeListener.SILENT)).isInstanceOf(IllegalStateException.class).hasMessageContaining("advance");
    }

    @Test
    void aCallerThatDrivesTheBakeItselfTakesTheCanaryOutOfTrafficWhenStopped() throws Exception {
        CanaryRolloutRunTest.Balancer lb = new CanaryRolloutRunTest.Balancer();
        CanaryRun.Bake bake = CanaryRun.of(gate(), CanaryOverrides.none())
                .bake(context(new CanaryRunTest.MovingClock(T0)), lb, ProofRequirement.none()).shifting(lb);
        BakeState start = bake.shiftToCurrentStep(bake.start(T0), CanaryRun.StateStore.NONE, BakeListener.SILENT);
        assertThat(start.decided()).isFalse();
        assertThat(bake.takeOutOfTraffic()).isEqualTo("set 0.0");
        assertThat(lb.asked).containsExactly(0.01, 0.0);
    }

    @Test
    void theCommandsARunMayExecuteAreNamedByField() throws Exception {
        String command = "{ command: { run: [./rollback.sh] } }";
        String http = "{ http: { url: /deploy/rollback, method: POST, expectStatus: 202 } }";
        String trafficCommand = "  traffic: { settle: 2m, set: { command: { run: [./set-weight.sh, '${weight}'] } } }";
        String trafficHttp = "  traffic: { settle: 2m, set: { http: { url: 'http://lb/admin', body: '${weight}' } } }";

        assertThat(CanaryRun.of(gate(trafficHttp, http, ""), CanaryOverrides.none()).commandFields()).isEmpty();
        assertThat(CanaryRun.of(gate(trafficCommand, command, ""), CanaryOverrides.none()).commandFields())
                .containsExactly("canary.traffic.set.command", "rollback.action.command");
        // without onFail: rollback the rollback section never runs in a canary run
        GateFile noRemediation = GateFiles.load(dir, gateText(gate(trafficHttp, command, ""))
                .replace("  onFail: rollback\n", ""));
        assertThat(CanaryRun.of(noRemediation, CanaryOverrides.none()).commandFields()).isEmpty();
        // a replay runs neither
        CanaryOverrides replay = CanaryOverrides.none().withReplay(new CanaryOverrides.Window(T0,
                T0.plus(Duration.ofHours(1))));
        assertThat(CanaryRun.of(gate(trafficCommand, command, ""), replay).commandFields()).isEmpty();
    }

    @Test
    void theSecretFilesAnAutomaticRollbackMayReadAreNamedByField() throws Exception {
        String promqlVersion = "version: { promql: 'max by (version) (build_info)', label: version }";
        GateFile promql = GateFiles.load(dir, gateText(gate()).replace(
                "version: { http: { url: /version, jsonField: /version } }", promqlVersion)
                + "prometheus:\n  url: http://prometheus:9090\n  bearerTokenFile: token.txt\n");
        assertThat(CanaryRun.of(promql, CanaryOverrides.none()).secretFileFields())
                .containsExactly("prometheus.bearerTokenFile");
        // the canary's own evidence is the caller's business; an HTTP version check reads no secret file
        GateFile httpVersion = GateFiles.load(dir, gateText(gate())
                + "prometheus:\n  url: http://prometheus:9090\n  bearerTokenFile: token.txt\n");
        assertThat(CanaryRun.of(httpVersion, CanaryOverrides.none()).secretFileFields()).isEmpty();
    }

    @Test
    void aSectionPutTogetherByTheCallerKeepsTheFilesTrafficAndRollback() throws Exception {
        GateFile file = gate();
        CanarySpec adjusted = file.requireCanary().withSelectors("track=\"canary-7\"", "track=\"stable\"");
        CanaryRun run = CanaryRun.of(file, adjusted);
        assertThat(run.spec()).isEqualTo(adjusted);
        assertThat(run.gateDigest()).isEqualTo(file.digest());
        assertThat(run.replay()).isEmpty();

        CanaryRunTest.MovingClock clock = new CanaryRunTest.MovingClock(T0);
        CanaryRolloutRunTest.Balancer lb = new CanaryRolloutRunTest.Balancer();
        lb.canaryBad = 0.08;
        CanaryRun.Bake bake = run.bake(context(clock), lb, ProofRequirement.none()).shifting(lb);
        BakeState done = bake.run(bake.start(), clock, CanaryRun.StateStore.NONE, BakeListener.SILENT);
        assertThat(done.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(bake.finish(done, ReportFiles.none()).restore().restored()).as("onFail: rollback applies")
                .isTrue();
    }

    @Test
    void theWeightAsATrafficActionReceivesIt() {
        assertThat(TrafficControl.percent(0.10)).isEqualTo("10");
        assertThat(TrafficControl.percent(0.005)).isEqualTo("0.5");
        assertThat(TrafficControl.percent(0)).isEqualTo("0");
        assertThat(TrafficControl.percent(1)).isEqualTo("100");
    }

    private String gateText(GateFile file) {
        try {
            return Files.readString(file.source());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
