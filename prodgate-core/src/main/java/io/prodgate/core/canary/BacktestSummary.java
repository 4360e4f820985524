package io.prodgate.core.canary;

import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a gate would have decided over many past deploys, in figures a team can act on. With labels (a deploy known to
 * be good or bad): the confusion table, the catch rate (bad deploys FAILed), the false-alarm rate (good deploys
 * FAILed), and the time to FAIL of the bad deploys caught. With or without labels: how often the gate would have
 * blocked, passed and been inconclusive, and the reasons it gave most often.
 *
 * <p>A window whose replay broke (its {@code verdict} is null) counts as an error, never as a verdict: it is in no
 * rate's numerator or denominator.
 *
 * @param windows           windows in the backtest, errors included
 * @param errors            windows whose replay broke
 * @param verdicts          how many windows ended in each verdict, over all windows judged
 * @param good              the good-labelled windows' outcomes
 * @param bad               the bad-labelled windows' outcomes
 * @param unlabelled        the unlabelled windows' outcomes
 * @param catchRate         bad windows FAILed over bad windows judged; null without a bad window judged
 * @param falseAlarmRate    good windows FAILed over good windows judged; null without a good window judged
 * @param medianTimeToFail  median time from a window's start to its FAIL: of the bad windows caught where there are
 *                          labels, of every FAIL where there are none; null without a FAIL
 * @param worstTimeToFail   the longest of those
 * @param topReasons        the reason types given most often (each window counts a type once; HELD is left out),
 *                          at most {@value #TOP_REASONS}, most frequent first
 */
public record BacktestSummary(int windows, int errors, Map<Verdict, Integer> verdicts, Outcomes good, Outcomes bad,
                              Outcomes unlabelled, Double catchRate, Double falseAlarmRate, Duration medianTimeToFail,
                              Duration worstTimeToFail, List<ReasonCount> topReasons) {
    /** How many reason types the summary lists. */
    public static final int TOP_REASONS = 5;

    public BacktestSummary {
        verdicts = java.util.Collections.unmodifiableMap(verdicts.isEmpty() ? new EnumMap<>(Verdict.class)
                : new EnumMap<>(verdicts));
        Objects.requireNonNull(good, "good");
        Objects.requireNonNull(bad, "bad");
        Objects.requireNonNull(unlabelled, "unlabelled");
        topReasons = List.copyOf(topReasons);
    }

    /** What a window is known to have been, from the team's own history. */
    public enum Label {
        GOOD, BAD;

        /** {@code good} or {@code bad}, as a window file writes it. */
        public String written() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One window's outcome, as the summary counts it.
     *
     * @param label      null for an unlabelled window
     * @param verdict    null when the window's replay broke
     * @param timeToFail from the window's start to its FAIL; null unless FAIL
     */
    public record Entry(Label label, Verdict verdict, Duration timeToFail, List<ReasonType> reasonTypes) {
        public Entry {
            reasonTypes = List.copyOf(reasonTypes);
            if (verdict == Verdict.FAIL) {
                Objects.requireNonNull(timeToFail, "a FAIL has a time to FAIL");
            } else if (timeToFail != null) {
                throw new IllegalArgumentException("only a FAIL has a time to FAIL");
            }
        }
    }

    /**
     * One row of the confusion table: the windows of one label that FAILed (for a bad deploy: caught), PASSed (for a
     * bad deploy: promoted), were INCONCLUSIVE, or broke.
     */
    public record Outcomes(int failed, int passed, int inconclusive, int errors) {
        public int judged() {
            return failed + passed + inconclusive;
        }

        public int total() {
            return judged() + errors;
        }

        Outcomes add(Verdict v) {
            if (v == null) {
                return new Outcomes(failed, passed, inconclusive, errors + 1);
            }
            return switch (v) {
                case FAIL -> new Outcomes(failed + 1, passed, inconclusive, errors);
                case PASS -> new Outcomes(failed, passed + 1, inconclusive, errors);
                case INCONCLUSIVE -> new Outcomes(failed, passed, inconclusive + 1, errors);
            };
        }
    }

    /** A reason type and the number of windows that gave it. */
    public record ReasonCount(ReasonType type, int windows) {
    }

    /** The summary of {@code entries}, in any order. */
    public static BacktestSummary of(List<Entry> entries) {
        Outcomes none = new Outcomes(0, 0, 0, 0);
        Outcomes good = none;
        Outcomes bad = none;
        Outcomes unlabelled = none;
        Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            verdicts.put(v, 0);
        }
        Map<ReasonType, Integer> reasons = new EnumMap<>(ReasonType.class);
        List<Duration> caught = new ArrayList<>();
        List<Duration> allFails = new ArrayList<>();
        int errors = 0;
        boolean labelled = false;
        for (Entry e : entries) {
            if (e.label() == Label.GOOD) {
                good = good.add(e.verdict());
            } else if (e.label() == Label.BAD) {
                bad = bad.add(e.verdict());
            } else {
                unlabelled = unlabelled.add(e.verdict());
            }
            labelled |= e.label() != null;
            if (e.verdict() == null) {
                errors++;
                continue;
            }
            verdicts.merge(e.verdict(), 1, Integer::sum);
            if (e.verdict() == Verdict.FAIL) {
                allFails.add(e.timeToFail());
                if (e.label() == Label.BAD) {
                    caught.add(e.timeToFail());
                }
            }
            e.reasonTypes().stream().distinct().filter(t -> t != ReasonType.HELD)
                    .forEach(t -> reasons.merge(t, 1, Integer::sum));
        }
        List<Duration> times = labelled ? caught : allFails;
        times.sort(Comparator.naturalOrder());
        List<ReasonCount> top = reasons.entrySet().stream()
                .sorted(Map.Entry.<ReasonType, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP_REASONS).map(x -> new ReasonCount(x.getKey(), x.getValue())).toList();
        return new BacktestSummary(entries.size(), errors, verdicts, good, bad, unlabelled,
                rate(bad.failed(), bad.judged()), rate(good.failed(), good.judged()),
                times.isEmpty() ? null : median(times), times.isEmpty() ? null : times.get(times.size() - 1), top);
    }

    /** Whether any window carries a label, so that the confusion table and the rates mean something. */
    public boolean labelled() {
        return good.total() + bad.total() > 0;
    }

    /** Windows judged (not broken). */
    public int judged() {
        return windows - errors;
    }

    /** The share of windows judged that ended in {@code verdict}; null without a window judged. */
    public Double share(Verdict verdict) {
        return rate(verdicts.getOrDefault(verdict, 0), judged());
    }

    private static Double rate(int count, int of) {
        return of == 0 ? null : (double) count / of;
    }

    /** The median of sorted durations: the mean of the middle two for an even count. */
    static Duration median(List<Duration> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }
}
