package io.prodgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.canary.BacktestSummary.Label;
import io.prodgate.core.canary.EvidenceSource;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFiles;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backtest over a deterministic source: each window decided as a single replay decides it, with its own selectors,
 * on a bounded number of threads; a window whose source throws is reported with its error and the rest complete.
 */
@Timeout(60)
class BacktestTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    GateFile gate() {
        return GateFiles.load(dir, CanaryRunTest.gateText());
    }

    /** Per canary selector: {@code version="bad"} has 5x the baseline's errors, {@code version="boom"} throws. */
    static EvidenceSource history(Set<String> threads) {
        return (spec, bakeStart, from, at) -> {
            threads.add(Thread.currentThread().getName() + "@" + System.identityHashCode(Thread.currentThread()));
            if (spec.canarySelector().contains("boom")) {
                throw new IllegalStateException("the source broke");
            }
            double canaryBad = spec.canarySelector().contains("bad") ? 0.05 : 0.01;
            double seconds = Duration.between(from, at).toSeconds();
            return List.of(new SloEvidence("availability",
                    Reading.counts(Math.round(50 * seconds * canaryBad), 50 * seconds),
                    Reading.counts(Math.round(200 * seconds * 0.01), 200 * seconds)));
        };
    }

    @Test
    void everyWindowIsJudgedAsASingleReplayAndABrokenOneDoesNotStopTheRest() throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Backtest.Window> windows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String version = i % 2 == 0 ? "good" + i : "bad" + i;
            windows.add(new Backtest.Window("w" + i, T0.plus(Duration.ofHours(i)), null,
                    i % 2 == 0 ? Label.GOOD : Label.BAD, "version=\"" + version + "\"", null));
        }
        windows.add(2, new Backtest.Window("broken", T0, null, Label.BAD, "version=\"boom\"", null));
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        Backtest backtest = new Backtest(gate(), CanaryOverrides.none(), () -> history(threads),
                RunContext.builder().build());
        Path html = dir.resolve("out/backtest.html");
        Backtest.Outcome outcome = backtest.run(windows, 2, false, html, (r, done, total) -> {
            order.add(done);
            assertThat(total).isEqualTo(7);
        });

        assertThat(order).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(outcome.results()).extracting(Backtest.Result::index).containsExactly(1, 2, 3, 4, 5, 6, 7);
        Backtest.Result broken = outcome.results().get(2);
        assertThat(broken.verdict()).isNull();
        assertThat(broken.error()).isEqualTo("IllegalStateException: the source broke");
        assertThat(broken.report()).isNull();
        for (Backtest.Result r : outcome.results()) {
            if (r == broken) {
                continue;
            }
            // the same window replayed on its own
            CanaryRun single = CanaryRun.of(gate(), CanaryOverrides.none()
                    .withSelectors(r.window().canarySelector(), null)
                    .withReplay(new CanaryOverrides.Window(r.window().from(), r.to())));
            CanaryRun.Bake bake = single.bake(RunContext.builder().build(), history(threads),
                    io.prodgate.core.verdict.ProofRequirement.none());
            var alone = bake.run(bake.start(), io.prodgate.core.prometheus.Sleeper.SYSTEM,
                    CanaryRun.StateStore.NONE, BakeListener.SILENT);
            assertThat(r.state().decision()).isEqualTo(alone.decision());
            assertThat(r.to()).isEqualTo(r.window().from().plus(Duration.ofMinutes(20)));
            assertThat(r.verdict()).isEqualTo(r.window().label() == Label.BAD ? Verdict.FAIL : Verdict.PASS);
            assertThat(Files.readString(r.report())).contains("prodgate canary gate");
        }
        assertThat(outcome.summary().bad().failed()).isEqualTo(3);
        assertThat(outcome.summary().bad().errors()).isEqualTo(1);
        assertThat(outcome.summary().good().passed()).isEqualTo(3);
        assertThat(outcome.summary().catchRate()).isEqualTo(1.0);
        assertThat(outcome.summary().falseAlarmRate()).isEqualTo(0.0);
        assertThat(outcome.summary().topReasons()).extracting(c -> c.type()).containsExactly(ReasonType.REGRESSION);
        assertThat(outcome.results().get(1).timeToFail()).isPositive();
        assertThat(outcome.results().get(0).reasonTypes()).containsExactly(ReasonType.HELD);
        // a bounded pool: never more than two replay threads
        assertThat(threads.stream().filter(t -> t.startsWith("prodgate-backtest")).count()).isLessThanOrEqualTo(2);
        assertThat(Backtest.windowReport(html, 3).getFileName().toString()).isEqualTo("backtest-window-003.html");
    }

    @Test
    void theReportsAreViewsOfTheOutcome() throws Exception {
        Backtest backtest = new Backtest(gate(), CanaryOverrides.none(), () -> history(ConcurrentHashMap.newKeySet()),
                RunContext.builder().build());
        Backtest.Outcome outcome = backtest.run(List.of(
                new Backtest.Window("good", T0, null, Label.GOOD, "version=\"good\"", null),
                new Backtest.Window("bad", T0, T0.plus(Duration.ofMinutes(10)), Label.GOOD, "version=\"bad\"",
                        null)), 4, false, null, Backtest.Listener.SILENT);
        Path json = dir.resolve("b.json");
        Path junit = dir.resolve("b.xml");
        Path html = dir.resolve("b.html");
        backtest.writeReports(outcome, ReportFiles.of(json, junit, html), T0.plus(Duration.ofDays(1)));
        assertThat(Files.readString(json)).contains("\"falseAlarmRate\" : 0.5", "\"misjudged\" : true");
        String xml = Files.readString(junit);
        assertThat(xml).contains("tests=\"2\"", "failures=\"1\"", "a good deploy, yet FAIL");
        String page = Files.readString(html);
        assertThat(page).contains("false alarms 50 %", "false alarm</span>").doesNotContain("style=", "<script");
        assertThat(dir.resolve("prodgate-report.css")).exists();
    }
}
