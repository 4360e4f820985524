package io.prodgate.core.canary;

import io.prodgate.core.canary.stats.AnytimeTest;
import java.time.Duration;
import java.time.Instant;

/**
 * The running evidence of one ratio SLO: its three sequential tests and the event counts, fed one usable evaluation at
 * a time. The judge folds a bake's evaluations into it; the planner feeds it simulated ones, so both decide with the
 * same method.
 */
final class RatioAccumulator {
    private final RatioSlo slo;
    private final double tolerated;
    private final AnytimeTest relative;
    private final AnytimeTest absolute;
    private final AnytimeTest baselineAbsolute;
    // figures since each start point of the tests, so a late onset can be shown undiluted
    private final RatioFigures[] since;
    private final Instant[] startFrom;
    private RatioFigures figures = RatioFigures.NONE;
    private Instant firstFrom;
    private Duration covered = Duration.ZERO;
    private int size;

    RatioAccumulator(RatioSlo slo, int plannedEvaluations) {
        this.slo = slo;
        this.tolerated = 1 + slo.tolerance();
        this.relative = new AnytimeTest(plannedEvaluations);
        this.absolute = new AnytimeTest(plannedEvaluations);
        this.baselineAbsolute = new AnytimeTest(plannedEvaluations);
        this.since = new RatioFigures[relative.starts()];
        this.startFrom = new Instant[relative.starts()];
    }

    /** Adds a usable evaluation of the window {@code (from, at]}; a side without traffic reads null. */
    void add(Instant from, Instant at, Reading canary, Reading baseline) {
        boolean canaryOk = canary != null && canary.hasTraffic();
        boolean baselineOk = baseline != null && baseline.hasTraffic();
        double cb = canaryOk ? canary.bad() : 0;
        double cn = canaryOk ? canary.total() : 0;
        double bb = baselineOk ? baseline.bad() : 0;
        double bn = baselineOk ? baseline.total() : 0;
        if (canaryOk) {
            absolute.addAbsolute(cb, cn, slo.budget());
        } else {
            absolute.addNothing();
        }
        if (baselineOk) {
            baselineAbsolute.addAbsolute(bb, bn, slo.budget());
        } else {
            baselineAbsolute.addNothing();
        }
        if (canaryOk && baselineOk) {
            relative.addRelative(cb, cn, bb, bn, tolerated);
        } else {
            relative.addNothing();
        }
        if (firstFrom == null) {
            firstFrom = from;
        }
        for (int k = 0; k < since.length; k++) {
            if (relative.startOf(k) == size) {
                since[k] = RatioFigures.NONE;
                startFrom[k] = from;
            }
            if (since[k] != null) {
                since[k] = since[k].plus(cb, cn, bb, bn);
            }
        }
        figures = figures.plus(cb, cn, bb, bn);
        covered = covered.plus(Duration.between(from, at));
        size++;
    }

    RatioSlo slo() {
        return slo;
    }

    RatioFigures figures() {
        return figures;
    }

    /** How much of the bake the usable evaluations covered. */
    Duration covered() {
        return covered;
    }

    AnytimeTest relative() {
        return relative;
    }

    AnytimeTest absolute() {
        return absolute;
    }

    AnytimeTest baselineAbsolute() {
        return baselineAbsolute;
    }

    /**
     * The figures of the bake's second half: since the tests' middle start point, so a late onset cannot hide behind
     * a healthy first half. The whole bake's while the bake is too short for several start points.
     */
    RatioFigures secondHalf() {
        int k = since.length / 2;
        return k == 0 || since[k] == null ? figures : since[k];
    }

    /** The figures from where a test's evidence is strongest, and how far into the bake that was. */
    Onset onset(AnytimeTest test) {
        int k = test.strongestStartPoint();
        if (since[k] == null || k == 0) {
            return new Onset(Duration.ZERO, figures);
        }
        return new Onset(Duration.between(firstFrom, startFrom[k]), since[k]);
    }

    /** Where the evidence of a test is strongest: {@code after} into the bake, with the figures since then. */
    record Onset(Duration after, RatioFigures figures) {
    }
}
