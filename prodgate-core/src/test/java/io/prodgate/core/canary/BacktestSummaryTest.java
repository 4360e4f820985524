package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.canary.BacktestSummary.Entry;
import io.prodgate.core.canary.BacktestSummary.Label;
import io.prodgate.core.canary.BacktestSummary.Outcomes;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The backtest's figures: the confusion table, the rates and the times to FAIL, worked out by hand. */
class BacktestSummaryTest {
    static Entry fail(Label label, int minutes, ReasonType... types) {
        return new Entry(label, Verdict.FAIL, Duration.ofMinutes(minutes), List.of(types));
    }

    static Entry pass(Label label) {
        return new Entry(label, Verdict.PASS, null, List.of(ReasonType.HELD, ReasonType.HELD));
    }

    static Entry inconclusive(Label label, ReasonType... types) {
        return new Entry(label, Verdict.INCONCLUSIVE, null, List.of(types));
    }

    static Entry error(Label label) {
        return new Entry(label, null, null, List.of());
    }

    @Test
    void theConfusionTableAndTheRatesOfALabelledHistory() {
        BacktestSummary s = BacktestSummary.of(List.of(
                fail(Label.BAD, 3, ReasonType.REGRESSION),
                fail(Label.BAD, 9, ReasonType.REGRESSION, ReasonType.BREACH),
                fail(Label.BAD, 5, ReasonType.BREACH),
                pass(Label.BAD),
                inconclusive(Label.BAD, ReasonType.INSUFFICIENT_TRAFFIC),
                error(Label.BAD),
                pass(Label.GOOD), pass(Label.GOOD), pass(Label.GOOD),
                fail(Label.GOOD, 20, ReasonType.REGRESSION),
                inconclusive(Label.GOOD, ReasonType.INSUFFICIENT_TRAFFIC, ReasonType.INSUFFICIENT_TRAFFIC),
                pass(null), fail(null, 1, ReasonType.NO_CANARY_DATA)));
        assertThat(s.labelled()).isTrue();
        assertThat(s.windows()).isEqualTo(13);
        assertThat(s.errors()).isEqualTo(1);
        assertThat(s.judged()).isEqualTo(12);
        assertThat(s.bad()).isEqualTo(new Outcomes(3, 1, 1, 1));
        assertThat(s.good()).isEqualTo(new Outcomes(1, 3, 1, 0));
        assertThat(s.unlabelled()).isEqualTo(new Outcomes(1, 1, 0, 0));
        // caught over judged: the broken bad window is in neither
        assertThat(s.catchRate()).isEqualTo(3.0 / 5);
        assertThat(s.falseAlarmRate()).isEqualTo(1.0 / 5);
        // the bad deploys caught only: 3, 5, 9 minutes
        assertThat(s.medianTimeToFail()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.worstTimeToFail()).isEqualTo(Duration.ofMinutes(9));
        assertThat(s.verdicts()).containsEntry(Verdict.FAIL, 5).containsEntry(Verdict.PASS, 5)
                .containsEntry(Verdict.INCONCLUSIVE, 2);
        assertThat(s.share(Verdict.FAIL)).isEqualTo(5.0 / 12);
        // each window counts a type once; HELD is no reason to look into; ties in the enum's order
        assertThat(s.topReasons()).containsExactly(
                new BacktestSummary.ReasonCount(ReasonType.REGRESSION, 3),
                new BacktestSummary.ReasonCount(ReasonType.BREACH, 2),
                new BacktestSummary.ReasonCount(ReasonType.INSUFFICIENT_TRAFFIC, 2),
                new BacktestSummary.ReasonCount(ReasonType.NO_CANARY_DATA, 1));
    }

    @Test
    void withoutLabelsHowOftenItWouldHaveBlockedAndEveryFailsTime() {
        BacktestSummary s = BacktestSummary.of(List.of(fail(null, 4, ReasonType.REGRESSION),
                fail(null, 10, ReasonType.BREACH), pass(null), pass(null), pass(null),
                inconclusive(null, ReasonType.NO_CANARY_DATA), error(null)));
        assertThat(s.labelled()).isFalse();
        assertThat(s.catchRate()).isNull();
        assertThat(s.falseAlarmRate()).isNull();
        assertThat(s.share(Verdict.FAIL)).isEqualTo(2.0 / 6);
        assertThat(s.share(Verdict.PASS)).isEqualTo(3.0 / 6);
        assertThat(s.share(Verdict.INCONCLUSIVE)).isEqualTo(1.0 / 6);
        // an even count: the mean of the middle two
        assertThat(s.medianTimeToFail()).isEqualTo(Duration.ofMinutes(7));
        assertThat(s.worstTimeToFail()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.topReasons()).extracting(BacktestSummary.ReasonCount::type)
                .containsExactly(ReasonType.REGRESSION, ReasonType.BREACH, ReasonType.NO_CANARY_DATA);
    }

    @Test
    void noRateWithoutAWindowToRateAndNoTimeWithoutAFail() {
        BacktestSummary s = BacktestSummary.of(List.of(pass(Label.GOOD), error(Label.BAD)));
        assertThat(s.catchRate()).isNull();
        assertThat(s.falseAlarmRate()).isEqualTo(0.0);
        assertThat(s.medianTimeToFail()).isNull();
        assertThat(s.worstTimeToFail()).isNull();
        BacktestSummary empty = BacktestSummary.of(List.of());
        assertThat(empty.share(Verdict.PASS)).isNull();
        assertThat(empty.topReasons()).isEmpty();
    }

    @Test
    void topReasonsAreAtMostFive() {
        BacktestSummary s = BacktestSummary.of(List.of(fail(null, 1, ReasonType.REGRESSION, ReasonType.BREACH,
                ReasonType.NO_CANARY_DATA, ReasonType.NO_BASELINE_DATA, ReasonType.SOURCE_ERROR,
                ReasonType.INVALID_QUERY_RESULT)));
        assertThat(s.topReasons()).hasSize(BacktestSummary.TOP_REASONS);
    }

    @Test
    void onlyAFailHasATimeToFail() {
        assertThatThrownBy(() -> new Entry(Label.BAD, Verdict.PASS, Duration.ofMinutes(1), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Entry(Label.BAD, Verdict.FAIL, null, List.of()))
                .isInstanceOf(NullPointerException.class);
    }
}
