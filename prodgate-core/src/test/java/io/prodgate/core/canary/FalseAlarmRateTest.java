package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.verdict.Verdict;
import org.junit.jupiter.api.Test;

/**
 * The configured false-alarm rate holds over the whole bake and all SLOs together, although the gate looks at the
 * data every interval. Checked by simulation of healthy canaries (same bad ratio as the baseline, at the null
 * boundary of zero tolerance, the hardest case).
 */
class FalseAlarmRateTest {
    @Test
    void healthyCanariesFailAtMostAtTheConfiguredRateDespiteThirtyLooks() {
        int runs = 1500;
        int fails = 0;
        CanarySpec spec = Specs.spec(java.util.List.of(
                new RatioSlo("availability", "b{${selector}}[${window}]", false, "t{${selector}}[${window}]", 0.9, 0.0),
                new RatioSlo("latency", "s{${selector}}[${window}]", false, "t{${selector}}[${window}]", 0.8, 0.0)),
                EvidencePolicy.inconclusive());
        for (int i = 0; i < runs; i++) {
            var source = new SimulatedSource(1000 + i, 100, 25).slo("availability", 0.01, 0.01).slo("latency", 0.05, 0.05);
            BakeState s = CanaryGateTest.bake(CanaryGateTest.gate(spec, source));
            if (s.decision().verdict() == Verdict.FAIL) {
                fails++;
            }
        }
        double rate = (double) fails / runs;
        // 1 % configured; three standard errors of slack for the simulation's own noise
        assertThat(rate).isLessThanOrEqualTo(0.01 + 3 * Math.sqrt(0.01 * 0.99 / runs));
    }

    @Test
    void aNaiveFixedTestRepeatedEveryIntervalWouldNotHoldTheRate() {
        // the reason for the sequential test: a z-test at the 1 % level, peeked at 30 times, alarms far more often
        int runs = 1500;
        int alarms = 0;
        for (int i = 0; i < runs; i++) {
            var rng = new org.apache.commons.math3.random.Well19937c(5000 + i);
            double cb = 0;
            double cn = 0;
            double bb = 0;
            double bn = 0;
            for (int k = 0; k < 30; k++) {
                double nc = SimulatedSource.poisson(rng, 1500);
                double nb = SimulatedSource.poisson(rng, 6000);
                cb += SimulatedSource.poisson(rng, nc * 0.01);
                bb += SimulatedSource.poisson(rng, nb * 0.01);
                cn += nc;
                bn += nb;
                double p = (cb + bb) / (cn + bn);
                double z = (cb / cn - bb / bn) / Math.sqrt(p * (1 - p) * (1 / cn + 1 / bn));
                if (z > 2.326) {
                    alarms++;
                    break;
                }
            }
        }
        assertThat((double) alarms / runs).isGreaterThan(0.03);
    }
}
