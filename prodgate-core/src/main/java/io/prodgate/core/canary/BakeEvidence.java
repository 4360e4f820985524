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
            SloEvidence ev = e.slo(spec.slos().get(s).name()).orElse(null);
            if (tallies.get(s) instanceof RatioAccumulator acc) {
                acc.add(e.from(), e.at(), ev == null ? null : ev.canary(), ev == null ? null : ev.baseline());
            } else {
                ((ValueTally) tallies.get(s)).add(ev == null ? null : ev.canary());
            }
        }
        lastSource = e.at();
        if (hasCanaryEvidence(e)) {
            lastCanary = e.at();
        }
        if (e.slos().stream().anyMatch(s -> s.baseline() != null && s.baseline().hasTraffic())) {
            lastBaseline = e.at();
        }
        lastUsable.addLast(e);
        if (lastUsable.size() > CanaryJudge.END_SLACK) {
            lastUsable.removeFirst();
        }
    }

    /** Whether the canary showed itself in {@code e}: traffic beside a baseline, or, for value checks only, a value. */
    boolean hasCanaryEvidence(Evaluation e) {
        if (spec.ratioSlos().isEmpty()) {
            return e.slos().stream().anyMatch(s -> s.canary().ok());
        }
        return e.slos().stream().anyMatch(s -> s.baseline() != null && s.canary().hasTraffic());
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
