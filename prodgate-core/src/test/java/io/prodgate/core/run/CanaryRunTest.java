package io.prodgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.BakeStates;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.CanaryPlan;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.EvidenceSource;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.metrics.GateMetrics;
import io.prodgate.core.prometheus.Sleeper;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.report.ReportStylesheet;
import io.prodgate.core.gatefile.GateFiles;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The one canary run that the CLI, the demo, the benchmark and the Jenkins step adapt. */
@Timeout(60)
class CanaryRunTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    final RecordingOutput output = new RecordingOutput();
    final GateMetrics metrics = GateMetrics.create();

    GateFile gate() {
        return GateFiles.load(dir, gateText());
    }

    static String gateText() {
        return """
                version: 1
                canary:
                  selectors:
                    canary: 'track="canary"'
                    baseline: 'track="stable"'
                  bake: 20m
                  interval: 1m
                  slos:
                    - name: availability
                      bad: 'sum(increase(errors{${selector}}[${window}]))'
                      total: 'sum(increase(requests{${selector}}[${window}]))'
                      objective: 99
                """;
    }

    /**
     * Steady traffic: 50 requests a second on the canary, 200 on the baseline, with these bad ratios; the counts of a
     * window follow from its length, so a resumed bake reads exactly what an uninterrupted one read.
     */
    static EvidenceSource traffic(double canaryBad, double baselineBad, List<String> selectorsSeen) {
        return (spec, bakeStart, from, at) -> {
            selectorsSeen.add(spec.canarySelector() + " / " + spec.baselineSelector());
            double seconds = Duration.between(from, at).toSeconds();
            return List.of(new SloEvidence("availability",
                    Reading.counts(Math.round(50 * seconds * canaryBad), 50 * seconds),
                    Reading.counts(Math.round(200 * seconds * baselineBad), 200 * seconds)));
        };
    }

    RunContext context(Clock clock) {
        return RunContext.builder().clock(clock).progress(output).files(output).metrics(metrics, "checkout").build();
    }

    @Test
    void aReplayJudgesItsWindowRecordsTheVerdictShowsTheSummaryAndWritesEveryReport() throws Exception {
        CanaryRun run = CanaryRun.of(gate(), CanaryOverrides.none()
                .withReplay(new CanaryOverrides.Window(T0, T0.plus(Duration.ofMinutes(30)))));
        assertThat(run.spec().bake()).as("the bake is the window").isEqualTo(Duration.ofMinutes(30));
        RunContext context = context(Clock.fixed(T0.plus(Duration.ofDays(3)), ZoneOffset.UTC));
        CanaryRun.Bake bake = run.bake(context, traffic(0.05, 0.005, new ArrayList<>()), ProofRequirement.none());
        BakeState state = bake.start();
        assertThat(state.startedAt()).as("a replay starts at its window, not now").isEqualTo(T0);

        BakeState done = bake.run(state, noWaiting(), CanaryRun.StateStore.NONE, BakeListener.SILENT);
        assertThat(done.decision().verdict()).isEqualTo(Verdict.FAIL);
        assertThat(done.evaluations()).as("fails fast, well before the window's end").hasSizeLessThan(10);

        Path json = dir.resolve("out/canary.json");
        Path junit = dir.resolve("out/canary.xml");
        Path html = dir.resolve("out/canary.html");
        CanaryReport report = bake.finish(done, ReportFiles.of(json, junit, html));
        assertThat(report.mode()).isEqualTo("replay");
        assertThat(output.lines).containsExactly(CanaryReport.summary(done), "JSON report: " + json,
                "JUnit XML: " + junit, "HTML report: " + html);
        assertThat(output.lines.get(0)).startsWith("canary gate: FAIL at ").contains("availability");
        assertThat(output.files.get(json)).contains("\"verdict\" : \"FAIL\"");
        assertThat(output.files.get(junit)).contains("<testsuite name=\"" + CanaryRun.JUNIT_SUITE + "\"")
                .contains("<failure");
        assertThat(output.files.get(html)).contains("href=\"" + ReportStylesheet.FILE_NAME + "\"");
        assertThat(output.files).as("the stylesheet the page links to lands beside it")
                .containsEntry(html.toAbsolutePath().resolveSibling(ReportStylesheet.FILE_NAME),
                        ReportStylesheet.content());
        String scraped = RecordingOutput.scrape(metrics);
        assertThat(scraped).contains("prodgate_verdicts_total{gate=\"canary\",mode=\"blocking\",service=\"checkout\",verdict=\"FAIL\"} 1.0")
                .contains("prodgate_bake_duration_seconds");
    }

    @Test
    void aLiveBakeWaitsOnTheClockSavesEveryStateAndPassesAHealthyCanaryAtTheEnd() throws Exception {
        CanaryRun run = CanaryRun.of(gate(), CanaryOverrides.none());
        MovingClock clock = new MovingClock(T0);
        CanaryRun.Bake bake = run.bake(context(clock), traffic(0.005, 0.005, new ArrayList<>()),
                ProofRequirement.none());
        List<BakeState> saved = new ArrayList<>();
        List<CanaryGate.Step> seen = new ArrayList<>();
        AtomicReference<String> start = new AtomicReference<>();
        BakeState done = bake.run(bake.start(), clock, saved::add, new BakeListener() {
            @Override
            public void started(BakeState state, boolean replay, boolean resumed, Optional<CanaryPlan> plan) {
                start.set(state.startedAt() + " replay=" + replay + " resumed=" + resumed + " plan=" + plan.isPresent());
            }

            @Override
            public void evaluated(CanaryGate.Step step) {
                assertThat(saved).as("saved before it is shown").endsWith(step.state());
                seen.add(step);
            }
        });
        assertThat(start.get()).isEqualTo(T0 + " replay=false resumed=false plan=false");
        assertThat(done.decision().verdict()).as(done.decision().reasons().toString()).isEqualTo(Verdict.PASS);
        assertThat(done.decision().decidedAt()).isEqualTo(T0.plus(Duration.ofMinutes(20)));
        assertThat(seen).hasSize(20);
        assertThat(saved).hasSize(20).last().isEqualTo(done);
        assertThat(clock.slept).as("one wait per evaluation, none longer than the interval")
                .hasSize(20).allMatch(d -> d.compareTo(Duration.ofMinutes(1)) <= 0);
    }

    @Test
    void aBakeResumedFromItsStateFileLateDecidesAsAnUninterruptedOneWithEveryEvaluationAtItsOwnTime()
            throws Exception {
        EvidenceSource source = traffic(0.005, 0.005, new ArrayList<>());
        CanaryRun run = CanaryRun.of(gate(), CanaryOverrides.none());
        MovingClock clock = new MovingClock(T0);
        CanaryRun.Bake bake = run.bake(context(clock), source, ProofRequirement.none());
        BakeState straight = bake.run(bake.start(), clock, CanaryRun.StateStore.NONE, BakeListener.SILENT);

        // a bake saved after 5 evaluations; the process comes back 40 minutes after the bake's end
        Path stateFile = dir.resolve("state.json");
        MovingClock before = new MovingClock(T0);
        CanaryRun.Bake first = run.bake(context(before), source, ProofRequirement.none());
        BakeState partial = first.advance(first.start(), T0.plus(Duration.ofMinutes(5)),
                CanaryRun.StateStore.file(stateFile), BakeListener.SILENT);
        assertThat(BakeStates.read(stateFile)).isEqualTo(partial);
        assertThat(partial.evaluations()).hasSize(5);

        MovingClock late = new MovingClock(T0.plus(Duration.ofMinutes(60)));
        CanaryRun.Bake resumed = run.bake(context(late), source, ProofRequirement.none());
        BakeState state = resumed.resumeOrStart(Optional.of(stateFile));
        boolean[] resumedFlag = {false};
        BakeState done = resumed.run(state, late, CanaryRun.StateStore.file(stateFile), new BakeListener() {
            @Override
            public void started(BakeState s, boolean replay, boolean isResumed, Optional<CanaryPlan> plan) {
                resumedFlag[0] = isResumed;
            }
        });
        assertThat(resumedFlag[0]).isTrue();
        assertThat(late.slept).as("overdue evaluations are made at once").isEmpty();
        assertThat(done).isEqualTo(straight);
        assertThat(BakeStates.read(stateFile)).isEqualTo(done);
    }

    @Test
    void aStateFileThatIsNotOneOrBelongsElsewhereIsRefusedByName() throws Exception {
        CanaryRun run = CanaryRun.of(gate(), CanaryOverrides.none());
        CanaryRun.Bake bake = run.bake(context(Clock.systemUTC()), traffic(0, 0, new ArrayList<>()),
                ProofRequirement.none());
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{ not json");
        assertThatThrownBy(() -> bake.resumeOrStart(Optional.of(garbage))).isInstanceOf(RunInputException.class)
                .hasMessageStartingWith(garbage + ": not a bake state file: it is not JSON");
        Path other = dir.resolve("other.json");
        BakeStates.write(other, new BakeState(BakeState.FORMAT, "sha256:another", T0, T0.plusSeconds(600),
                T0.plusSeconds(60), List.of(), null));
        assertThatThrownBy(() -> bake.resumeOrStart(Optional.of(other))).isInstanceOf(RunInputException.class)
                .hasMessage(other + " belongs to another version of the gate file; delete it to start a new bake");
        assertThat(bake.resumeOrStart(Optional.of(dir.resolve("absent.json"))).evaluations())
                .as("no state file yet: a new bake").isEmpty();
    }

    @Test
    void aDamagedOrFutureStateFileIsRefusedByLineOrFormatAndATornOneResumes() throws Exception {
        EvidenceSource source = traffic(0.005, 0.005, new ArrayList<>());
        CanaryRun run = CanaryRun.of(gate(), CanaryOverrides.none());
        MovingClock clock = new MovingClock(T0);
        CanaryRun.Bake bake = run.bake(context(clock), source, ProofRequirement.none());
        Path stateFile = dir.resolve("state.json");
        CanaryRun.StateStore store = CanaryRun.StateStore.file(stateFile);
        BakeState three = bake.advance(bake.start(), T0.plus(Duration.ofMinutes(3)), store, BakeListener.SILENT);
        BakeState four = bake.advance(three, T0.plus(Duration.ofMinutes(4)), store, BakeListener.SILENT);
        assertThat(four.evaluations()).hasSize(4);
        List<String> lines = Files.readAllLines(stateFile);

        String last = lines.get(lines.size() - 1);
        List<String> torn = new ArrayList<>(lines.subList(0, lines.size() - 1));
        Files.writeString(stateFile, String.join("\n", torn) + "\n" + last.substring(0, last.length() / 2));
        assertThat(bake.resumeOrStart(Optional.of(stateFile))).as("the state saved before the torn line")
                .isEqualTo(three);

        List<String> damaged = new ArrayList<>(lines);
        // header, then an evaluation and a progress line per save
        assertThat(lines).hasSize(9).last().asString().contains("\"progress\":");
        int second = 5; // the third evaluation
        assertThat(lines.get(second)).contains("\"evaluation\":");
        damaged.set(second, damaged.get(second).replace("\"bad\":", "\"bad\": "));
        Files.write(stateFile, damaged);
        assertThatThrownBy(() -> bake.resumeOrStart(Optional.of(stateFile))).isInstanceOf(RunInputException.class)
                .hasMessage(stateFile + ": not a bake state file: line 6 of 9 is damaged: its "
                        + "checksum does not match its content (only a torn last line, from a crash mid-write, is "
                        + "dropped); delete it to start a new bake");

        Files.writeString(stateFile, "{\"format\": 7}");
        assertThatThrownBy(() -> bake.resumeOrStart(Optional.of(stateFile))).isInstanceOf(RunInputException.class)
                .hasMessage(stateFile + ": bake state format 7 is not supported (this prodgate reads formats 1 and 2;"
                        + " was it written by a newer one?); finish its bake with the prodgate that wrote it, or "
                        + "delete it to start a new bake");
    }

    @Test
    void aReplayRefusesAStateOfAnotherWindowAndAWindowShorterThanTheInterval() throws Exception {
        CanaryOverrides.Window window = new CanaryOverrides.Window(T0, T0.plus(Duration.ofMinutes(30)));
        CanaryRun run = CanaryRun.of(gate(), CanaryOverrides.none().withReplay(window));
        Path state = dir.resolve("state.json");
        BakeStates.write(state, new BakeState(BakeState.FORMAT, gate().digest(), T0.minusSeconds(3600),
                T0.minusSeconds(1800), T0.minusSeconds(3540), List.of(), null));
        CanaryRun.Bake bake = run.bake(context(Clock.systemUTC()), traffic(0, 0, new ArrayList<>()),
                ProofRequirement.none());
        assertThatThrownBy(() -> bake.resumeOrStart(Optional.of(state))).isInstanceOf(RunInputException.class)
                .hasMessageContaining("which would be resumed instead of replaying from " + T0);

        assertThatThrownBy(() -> CanaryRun.of(gate(), CanaryOverrides.none()
                .withReplay(new CanaryOverrides.Window(T0, T0.plusSeconds(30)))))
                .isInstanceOf(RunInputException.class)
                .hasMessage("the replay window (30s) is shorter than the interval (1m)");
    }

    @Test
    void overriddenSelectorsAreTheOnesQueried() throws Exception {
        List<String> seen = new ArrayList<>();
        CanaryRun run = CanaryRun.of(gate(), CanaryOverrides.none().withSelectors("version=\"2\"", null)
                .withReplay(new CanaryOverrides.Window(T0, T0.plus(Duration.ofMinutes(2)))));
        CanarySpec spec = run.spec();
        assertThat(spec.canarySelector()).isEqualTo("version=\"2\"");
        assertThat(spec.baselineSelector()).as("kept where not given").isEqualTo("track=\"stable\"");
        CanaryRun.Bake bake = run.bake(context(Clock.systemUTC()), traffic(0.005, 0.005, seen), ProofRequirement.none());
        bake.run(bake.start(), noWaiting(), CanaryRun.StateStore.NONE, BakeListener.SILENT);
        assertThat(seen).isNotEmpty().allMatch(s -> s.equals("version=\"2\" / track=\"stable\""));
    }

    @Test
    void aRequiredProofIsReadFromItsFileAndWithoutOneAHealthyCanaryIsInconclusive() throws Exception {
        GateFile gate = GateFiles.load(dir,
                gateText().replace("  interval: 1m\n", "  interval: 1m\n  rollbackProof: { required: true }\n"));
        CanaryRun run = CanaryRun.of(gate, CanaryOverrides.none()
                .withReplay(new CanaryOverrides.Window(T0, T0.plus(Duration.ofMinutes(20)))));
        RunContext context = context(Clock.fixed(T0.plus(Duration.ofMinutes(30)), ZoneOffset.UTC));
        ProofRequirement proof = run.proofFromFile(dir.resolve("rollback-proof.json"), context);
        CanaryRun.Bake bake = run.bake(context, traffic(0.005, 0.005, new ArrayList<>()), proof);
        BakeState done = bake.run(bake.start(), noWaiting(), CanaryRun.StateStore.NONE, BakeListener.SILENT);
        assertThat(done.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(done.decision().reasons()).extracting(r -> r.type()).containsExactly(ReasonType.NO_ROLLBACK_PROOF);

        CanaryRun without = CanaryRun.of(gate(), CanaryOverrides.none());
        assertThat(without.proofFromFile(dir.resolve("rollback-proof.json"), context).problem(T0))
                .as("not required: nothing to read").isEmpty();
    }

    static Sleeper noWaiting() {
        return d -> {
            throw new AssertionError("a replay never waits");
        };
    }

    /** A clock that the sleeper moves forward, as a live bake's wait would. */
    static class MovingClock extends Clock implements Sleeper {
        private Instant now;
        final List<Duration> slept = new ArrayList<>();

        MovingClock(Instant start) {
            now = start;
        }

        @Override
        public void sleep(Duration d) {
            slept.add(d);
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
