package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a PASS vouches for: never a canary several times worse than its baseline, whatever the error budget says. */
class PassRuleTest {
    static final Instant T0 = CanaryGateTest.T0;

    static RatioSlo availability(double objective) {
        return new RatioSlo("availability", "bad{${selector}}[${window}]", false, "total{${selector}}[${window}]",
                objective, 0.1);
    }

    static CanarySpec spec(RatioSlo slo) {
        return Specs.spec(List.of(slo), EvidencePolicy.inconclusive());
    }

    static BakeState bake(CanarySpec spec, EvidenceSource source) {
        return CanaryGateTest.bake(CanaryGateTest.gate(spec, source));
    }

    @Test
    void aCanaryThreeTimesWorseThanItsBaselineButWellInsideTheBudgetNeverPasses() {
        // the example: objective 97 %, baseline 0.3 %, canary 0.9 %, 2 requests/s to the canary for 30 minutes
        int passes = 0;
        for (long seed = 1; seed <= 25; seed++) {
            var source = new SimulatedSource(seed, 100, 2).slo("availability", 0.003, 0.009);
            BakeState s = bake(spec(availability(0.97)), source);
            passes += s.decision().verdict() == Verdict.PASS ? 1 : 0;
        }
        assertThat(passes).isZero();
    }

    @Test
    void aLateFiveFoldRegressionAtLowTrafficNeverPasses() {
        Instant onset = T0.plus(Duration.ofMinutes(10));
        int passes = 0;
        for (long seed = 1; seed <= 25; seed++) {
            var source = new SimulatedSource(seed, 100, 2)
                    .slo("availability", 0.003, at -> at.isAfter(onset) ? 0.015 : 0.003);
            passes += bake(spec(availability(0.97)), source).decision().verdict() == Verdict.PASS ? 1 : 0;
        }
        assertThat(passes).isZero();
    }

    @Test
    void aThreefoldRegressionInTheLastThirdCannotHideBehindAHealthyStart() {
        // over the whole bake it is under 2x the baseline; in the stretch where it regressed it is 3x
        Instant onset = T0.plus(Duration.ofMinutes(20));
        int passes = 0;
        for (long seed = 1; seed <= 25; seed++) {
            var source = new SimulatedSource(seed, 95, 5)
                    .slo("availability", 0.001, at -> at.isAfter(onset) ? 0.003 : 0.001);
            passes += bake(spec(availability(0.97)), source).decision().verdict() == Verdict.PASS ? 1 : 0;
        }
        assertThat(passes).isZero();
    }

    @Test
    void aTwofoldRegressionOfATinyBadRatioIsNotWavedThroughAsNegligible() {
        // 0.2 % against 0.1 % is below a tenth of the 3 % budget, but the baseline has bad events enough to compare
        int passes = 0;
        for (long seed = 1; seed <= 25; seed++) {
            var source = new SimulatedSource(seed, 90, 10).slo("availability", 0.001, 0.002);
            passes += bake(spec(availability(0.97)), source).decision().verdict() == Verdict.PASS ? 1 : 0;
        }
        assertThat(passes).isZero();
    }

    @Test
    void aServiceWithNoErrorsOnEitherSidePassesOnEnoughTrafficAsNegligible() {
        var source = new SimulatedSource(7, 500, 50).slo("availability", 0, 0);
        BakeState s = bake(spec(availability(0.999)), source);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.PASS);
        assertThat(s.decision().reasons().get(0).message())
                .contains("held for the whole bake", "below the negligible 0.01 % bad", "too few bad events");
    }

    @Test
    void theNegligibleRouteCanBeTurnedOff() {
        var source = new SimulatedSource(7, 500, 50).slo("availability", 0, 0);
        BakeState s = bake(spec(availability(0.999)).toBuilder().negligibleShare(0).build(), source);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).containsOnly(ReasonType.INSUFFICIENT_TRAFFIC);
    }

    @Test
    void aZeroErrorServiceOnATrickleIsInconclusiveAndToldWhatItWouldNeed() {
        var source = new SimulatedSource(7, 20, 0.5).slo("availability", 0, 0);
        BakeState s = bake(spec(availability(0.999)), source);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons().get(0).message())
                .contains("too little evidence", "the baseline has no bad events", "a canary as good as the baseline needs");
    }

    @Test
    void aHealthyCanaryBesideABaselineWithAFewErrorsPasses() {
        // a handful of baseline errors in the whole bake: too few to compare with, and the canary is clean
        var source = new SimulatedSource(3, 1000, 100).slo("availability", 0.000004, 0);
        BakeState s = bake(spec(availability(0.999)), source);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.PASS);
        assertThat(s.decision().reasons().get(0).message()).contains("below the negligible");
    }

    @Test
    void aHealthyCanaryWithBadEventsOnBothSidesPassesOnTheComparisonAndSaysByHowMuch() {
        var source = new SimulatedSource(4, 500, 100).slo("availability", 0.005, 0.005);
        BakeState s = bake(spec(availability(0.99)), source);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.PASS);
        assertThat(s.decision().reasons().get(0).message()).containsPattern("at most 1\\.\\d\\dx the baseline's bad ratio");
    }

    @Test
    void thinEvidenceSaysHowMuchLongerTheBakeOrHowLargeTheShareWouldHaveHadToBe() {
        var source = new SimulatedSource(6, 200, 0.5).slo("availability", 0.005, 0.005);
        BakeState s = bake(spec(availability(0.99)), source);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).containsOnly(ReasonType.INSUFFICIENT_TRAFFIC);
        assertThat(s.decision().reasons().get(0).message())
                .contains("a canary as good as the baseline needs a bake of")
                .containsPattern("or a [0-9.]+ % canary share");
    }

    /**
     * Rare bad events, all in one burst (a stall of the machine the baseline runs on: every request in flight is slow
     * at once) early in the bake, none after it, none on the canary: per minute 3,000 canary and 7,000 baseline
     * requests, and the burst's bad events at minute 3. {@code canaryLate} sets the canary's requests per minute and its
     * bad events in the second half.
     */
    static EvidenceSource burstEarly(double burst, double canaryLatePerMinute, double canaryLateBad) {
        Instant half = T0.plus(Duration.ofMinutes(15));
        return (spec, start, from, at) -> {
            boolean late = at.isAfter(half);
            double canary = late ? canaryLatePerMinute : 3000;
            double bad = at.equals(T0.plus(Duration.ofMinutes(3))) ? burst : 0;
            double canaryBad = late && at.equals(T0.plus(Duration.ofMinutes(20))) ? canaryLateBad : 0;
            return List.of(new SloEvidence("availability", Reading.counts(canaryBad, canary), Reading.counts(bad, 7000)));
        };
    }

    /**
     * The second half has no bad event on either side, so its own bound is unbounded and proves nothing either way;
     * but a late onset would show as the canary's bad events there, and with some 45,000 canary requests a twofold
     * regression of the baseline's ratio would have shown about ten. The whole bake's comparison vouches for the rest.
     */
    @Test
    void aBurstOfBaselineBadEventsEarlyDoesNotHoldBackACleanCanary() {
        BakeState s = bake(spec(availability(0.99)), burstEarly(25, 3000, 0));
        assertThat(s.decision().verdict()).as(s.decision().reasons().toString()).isEqualTo(Verdict.PASS);
        assertThat(s.decision().reasons().get(0).message()).containsPattern("held for the whole bake, at most 0\\.\\d+x");
    }

    @Test
    void aCleanSecondHalfOnTooLittleCanaryTrafficToHaveShownALateRegressionIsNoPass() {
        // 100 canary requests a minute late: a twofold regression would have shown under one bad event there
        BakeState s = bake(spec(availability(0.99)), burstEarly(25, 100, 0));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).containsOnly(ReasonType.INSUFFICIENT_TRAFFIC);
    }

    @Test
    void aCanaryWithBadEventsLateWhereTheBaselineHasNoneIsNoPass() {
        BakeState s = bake(spec(availability(0.99)), burstEarly(25, 3000, 3));
        assertThat(s.decision().verdict()).isNotEqualTo(Verdict.PASS);
    }
}
