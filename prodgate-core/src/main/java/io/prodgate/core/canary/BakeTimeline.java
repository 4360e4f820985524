package io.prodgate.core.canary;

import java.util.ArrayList;
import java.util.List;

/**
 * Where every SLO stood after each evaluation of a bake, computed in one pass with the judge's own accumulators and
 * classifier: what reports draw their timelines from, without judging the bake again for every prefix.
 *
 * @param statuses one list for the bake's start and one per evaluation after it, one status per SLO in the spec's
 *                 order
 */
public record BakeTimeline(List<List<SloStatus>> statuses) {
    public BakeTimeline {
        statuses = List.copyOf(statuses);
    }

    /** The statuses after the last evaluation (the judge's view at the decision), or before the first. */
    public List<SloStatus> last() {
        return statuses.get(statuses.size() - 1);
    }

    /** One list per evaluation, after a first one for the bake's start, before any evidence. */
    public static BakeTimeline of(CanarySpec spec, BakeState state) {
        RatioClassifier classifier = new RatioClassifier(spec);
        double threshold = 1 / classifier.alphaPerTest();
        List<Object> tallies = new ArrayList<>();
        List<SloStatus> start = new ArrayList<>();
        for (SloSpec slo : spec.slos()) {
            if (slo instanceof RatioSlo r) {
                RatioAccumulator acc = new RatioAccumulator(r, spec.evaluations());
                tallies.add(acc);
                start.add(CanaryJudge.ratioStatus(acc, classifier.classify(acc, false), threshold));
            } else {
                ValueTally tally = new ValueTally((ValueCheck) slo);
                tallies.add(tally);
                start.add(tally.status(false));
            }
        }
        List<List<SloStatus>> out = new ArrayList<>();
        out.add(start);
        for (Evaluation e : state.evaluations()) {
            boolean over = !e.at().isBefore(state.endsAt());
            List<SloStatus> now = new ArrayList<>();
            for (int s = 0; s < spec.slos().size(); s++) {
                SloSpec slo = spec.slos().get(s);
                SloEvidence ev = e.slo(slo.name()).orElse(null);
                if (tallies.get(s) instanceof RatioAccumulator acc) {
                    if (!e.sourceFailed()) {
                        acc.add(e.from(), e.at(), ev == null ? null : ev.canary(), ev == null ? null : ev.baseline());
                    }
                    now.add(CanaryJudge.ratioStatus(acc, classifier.classify(acc, over), threshold));
                } else {
                    ValueTally tally = (ValueTally) tallies.get(s);
                    if (!e.sourceFailed()) {
                        tally.add(ev == null ? null : ev.canary());
                    }
                    now.add(tally.status(over));
                }
            }
            out.add(now);
        }
        return new BakeTimeline(out);
    }
}
