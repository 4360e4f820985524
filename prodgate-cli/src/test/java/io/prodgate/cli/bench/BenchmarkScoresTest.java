package io.prodgate.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.cli.bench.BenchmarkCommand.Outcome;
import io.prodgate.core.verdict.Verdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scores the corpus defines, computed as its README says. */
class BenchmarkScoresTest {
    static final long T0 = 1_795_528_020L;

    static Outcome outcome(String regime, List<String> expect, String soft, Long onset, Verdict verdict, long decidedAfter) {
        return outcome(regime, expect, soft, onset, onset == null ? 1 : 3, verdict, decidedAfter);
    }

    static Outcome outcome(String regime, List<String> expect, String soft, Long onset, double regression,
                           Verdict verdict, long decidedAfter) {
        return new Outcome(regime + "-x", regime, expect, soft, "ample", onset, regression, verdict,
                Instant.ofEpochSecond(T0 + decidedAfter), "", 1000);
    }

    @Test
    void theRegressionOfAScenarioComesFromItsErrorMultipleOrItsSlowShare() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(BenchmarkCommand.regression(json.readTree("{\"err_factor\":3,\"lat_mult\":1}"), 0.5)).isEqualTo(3);
        // median 0.08 s, sigma 0.7: 0.44 % of requests slower than 0.5 s; 1.5x slower: 2.1 %, about 4.7 times as many
        assertThat(BenchmarkCommand.regression(json.readTree(
                "{\"err_factor\":1,\"lat_mult\":1.5,\"median\":0.08,\"sigma\":0.7}"), 0.5)).isBetween(4.5, 5.0);
        assertThat(BenchmarkCommand.regression(json.readTree("{\"err_factor\":1,\"lat_mult\":1}"), 0.5)).isEqualTo(1);
    }

    @Test
    void scoresBadPromotionsFalseAlarmsOverconfidencePassesTimeToFailAndAccuracy() {
        List<Outcome> outcomes = List.of(
                outcome("healthy", List.of("PASS"), null, null, Verdict.PASS, 1800),
                outcome("healthy", List.of("PASS"), null, null, Verdict.FAIL, 600),             // false alarm
                outcome("thin", List.of("INCONCLUSIVE", "PASS"), "PASS", null, Verdict.PASS, 1800), // overconfident
                outcome("errors", List.of("FAIL"), null, T0, Verdict.FAIL, 60),
                outcome("errors", List.of("FAIL"), null, T0 + 600, Verdict.FAIL, 900),          // 5 min after onset
                outcome("errors", List.of("FAIL"), null, T0, Verdict.PASS, 1800),               // bad promotion
                outcome("silent", List.of("FAIL", "INCONCLUSIVE"), null, null, Verdict.INCONCLUSIVE, 300),
                outcome("marginal", List.of("PASS", "FAIL", "INCONCLUSIVE"), null, T0, 1.3, Verdict.PASS, 1800));
        StringWriter out = new StringWriter();
        BenchmarkCommand.print(new PrintWriter(out, true), outcomes, 2.0, 100, 2.0, "seed 9");
        assertThat(out.toString())
                .contains("bad promotions:        1 ")
                .contains("false alarms:          1 of 3 (33.3 %)")
                .contains("overconfident passes:  1 ")
                .contains("time to FAIL:          median 3.0 min, worst 5.0 min (2 of 3 that must fail)")
                .contains("worse, yet PASS:       1 (PASS of a canary at least 2.0x its baseline's bad ratio)")
                .contains("accuracy:              75.0 % (6 of 8 verdicts acceptable)")
                .contains("summary row:           | seed 9 | 1 | 1 | 1 of 3 | 1 | 3.0 / 5.0 min | 75.0 % |")
                .contains("speed:                 100 evaluations in 2.0 s (50 per second");
    }
}
