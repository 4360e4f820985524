package io.prodgate.core.canary;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The evidence of a bake so far, folded one evaluation at a time: each SLO's running tests and counts, and when each
 * side and the source last answered. The judge reads only this, so judging the 1,440th evaluation costs what judging
 * the first did.
 *
 * <p>It is derived from the bake state's evaluations, never stored beside them: folding them in their order is the
 * whole computation, so a resumed bake that folds them again (once) decides bit for bit as the uninterrupted one.
 */
final class BakeEvidence {
    private final CanarySpec spec;
    private final Instant startedAt;
    /** Per SLO of the spec, in its order: a {@link RatioAccumulator} or a {@link ValueTally}. */
    private final List<Object> tallies = new ArrayList<>();
    /** The last usable evaluations, at most {@link CanaryJudge#END_SLACK}, oldest first. */
    private final ArrayDeque<Evaluation> lastUsable = new ArrayDeque<>();
    /**
     * Per SLO: for a dry run, where it would first have failed the bake (a judged SLO's failure ends the bake, a dry
     * run's does not, and its evidence may fade after); null otherwise, or while it holds.
     */
    private final FirstFailure[] firstFailures;
    private final RatioClassifier classifier;
    private int folded;
    private Evaluation first;
    private Evaluation last;
    private int failed;
    private Instant lastCanary;
    private Instant lastBaseline;
    private Instant lastSource;
    private String lastError = "";

    BakeEvidence(CanarySpec spec, Instant startedAt) {
        this.spec = spec;
        this.startedAt = startedAt;
        this.lastCanary = startedAt;
        this.lastBaseline = startedAt;
        this.lastSource = startedAt;
        for (SloSpec slo : spec.slos()) {
            tallies.add(slo instanceof RatioSlo r ? new RatioAccumulator(r, spec.evaluations())
                    : new ValueTally((ValueCheck) slo));
        }
        this.firstFailures = new FirstFailure[tallies.size()];
        this.classifier = new RatioClassifier(spec);
    }

    /**
     * Where a dry-run SLO would first have failed the bake: the evaluation's time, and the outcome then (a ratio SLO's
     * {@link RatioOutcome.Regressed} or {@link RatioOutcome.Breached}; null for a value check, whose tally stops at its
     * breach).
     */
    record FirstFailure(Instant at, RatioOutcome outcome) {
    }

    /**
     * Whether {@code state}'s evaluations begin with the ones folded so far. A bake's states share their evaluations
     * (immutable records, copied by reference from one state to the next), so the first and the last folded one
     * being the very same objects says so without comparing the history.
     */
    boolean isPrefixOf(BakeState state) {
        List<Evaluation> all = state.evaluations();
        return state.startedAt().equals(startedAt) && folded <= all.size()
                && (folded == 0 || (all.get(0) == first && all.get(folded - 1) == last));
    }

    /** Folds the evaluations of {@code state} after those already folded; see {@link #isPrefixOf}. */
    void foldUpTo(BakeState state) {
        List<Evaluation> all = state.evaluations();
        for (int i = folded; i < all.size(); i++) {
            fold(all.get(i));
        }
    }

    private void fold(Evaluation e) {
        if (folded == 0) {
            first = e;
        }
        last = e;
        folded++;
        if (e.sourceFailed()) {
            failed++;
            lastError = e.slos().stream().flatMap(s -> Stream.of(s.canary(), s.baseline()))
                    .filter(r -> r != null && r.status() == Reading.Status.SOURCE_ERROR)
                    .map(Reading::detail).findFirst().orElse(lastError);
            return;
        }
        for (int s = 0; s < tallies.size(); s++) {
            SloSpec slo = spec.slos().get(s);
            SloEvidence ev = e.slo(slo.name()).orElse(null);
            boolean dryRun = spec.isDryRun(slo) && firstFailures[s] == null;
            if (tallies.get(s) instanceof RatioAccumulator acc) {
                acc.add(e.from(), e.at(), ev == null ? null : ev.canary(), ev == null ? null : ev.baseline());
                RatioOutcome outcome = dryRun ? classifier.classify(acc, false) : null;
                if (outcome instanceof RatioOutcome.Regressed || outcome instanceof RatioOutcome.Breached) {
                    firstFailures[s] = new FirstFailure(e.at(), outcome);
                }
            } else {
                ValueTally tally = (ValueTally) tallies.get(s);
                tally.add(ev == null ? null : ev.canary());
                if (dryRun && tally.breached()) {
                    firstFailures[s] = new FirstFailure(e.at(), null);
                }
            }
        }
        lastSource = e.at();
        if (hasCanaryEvidence(e)) {
            lastCanary = e.at();
        }
        if (judged(e).anyMatch(s -> s.baseline() != null && s.baseline().hasTraffic())) {
            lastBaseline = e.at();
        }
        lastUsable.addLast(e);
        if (lastUsable.size() > CanaryJudge.END_SLACK) {
            lastUsable.removeFirst();
        }
    }

    /**
     * Whether the canary showed itself in {@code e}, in the SLOs that decide: traffic beside a baseline, or, for value
     * checks only, a value.
     */
    boolean hasCanaryEvidence(Evaluation e) {
        if (spec.judgedRatioSlos().isEmpty()) {
            return judged(e).anyMatch(s -> s.canary().ok());
        }
        return judged(e).anyMatch(s -> s.baseline() != null && s.canary().hasTraffic());
    }

    /** The evidence of the SLOs that decide the verdict, without the dry runs. */
    Stream<SloEvidence> judged(Evaluation e) {
        return e.slos().stream().filter(ev -> !spec.dryRunSlos().contains(ev.slo()));
    }

    /** Where the dry-run SLO at {@code index} would first have failed the bake, or null. */
    FirstFailure firstFailure(int index) {
        return firstFailures[index];
    }

    /** The running evidence of the SLO at {@code index} of the spec: a ratio SLO's accumulator or a check's tally. */
    Object tally(int index) {
        return tallies.get(index);
    }

    /** The last usable evaluations, at most {@link CanaryJudge#END_SLACK}, oldest first. */
    List<Evaluation> lastUsable() {
        return List.copyOf(lastUsable);
    }

    /** How many evaluations were folded, and how many of them failed at the source. */
    int evaluations() {
        return folded;
    }

    int failed() {
        return failed;
    }

    Instant lastCanary() {
        return lastCanary;
    }

    Instant lastBaseline() {
        return lastBaseline;
    }

    Instant lastSource() {
        return lastSource;
    }

    /** The first source error of the latest evaluation that had one, or empty. */
    String lastError() {
        return lastError;
    }
}
