package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A PASS needs evidence that reaches the end of the bake; what is missing there is named for what it is. */
class EndOfBakeEvidenceTest {
    static final Instant T0 = CanaryGateTest.T0;

    static Reading sourceDown() {
        return Reading.missing(Reading.Status.SOURCE_ERROR, "Prometheus at http://prom unreachable");
    }

    static BakeState bake(CanarySpec spec, SimulatedSource source) {
        return CanaryGateTest.bake(CanaryGateTest.gate(spec, source));
    }

    static SimulatedSource healthy(long seed) {
        return new SimulatedSource(seed, 200, 20).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02);
    }

    @Test
    void aSourceThatDiesShortlyBeforeTheEndIsNoPass() {
        Instant died = T0.plus(Duration.ofMinutes(26));
        BakeState s = bake(Specs.twoSlos(), healthy(1).canaryOverride(at -> at.isAfter(died) ? sourceDown() : null));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(ReasonType.SOURCE_ERROR);
            assertThat(r.message()).contains("failed at the end of the bake", "unreachable");
        });
    }

    @Test
    void aShortBakeWhoseSourceWentDownAfterSixSecondsIsNoPass() {
        CanarySpec spec = Specs.twoSlos().toBuilder().bake(Duration.ofSeconds(20)).interval(Duration.ofSeconds(2))
                .build(); // maxDataGap stays at 5 minutes: longer than the whole bake
        Instant died = T0.plusSeconds(6);
        var source = new SimulatedSource(2, 20_000, 2_000).slo("availability", 0.005, 0.005).slo("latency", 0.02, 0.02)
                .canaryOverride(at -> at.isAfter(died) ? sourceDown() : null);
        BakeState s = bake(spec, source);
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).containsExactly(ReasonType.SOURCE_ERROR);
    }

    @Test
    void aSourceDownForTheWholeBakeIsASourceErrorNotASilentCanary() {
        CanarySpec spec = Specs.twoSlos().toBuilder().bake(Duration.ofSeconds(20)).interval(Duration.ofSeconds(2))
                .build();
        BakeState s = bake(spec, healthy(3).canaryOverride(at -> sourceDown()));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).containsExactly(ReasonType.SOURCE_ERROR);
        assertThat(s.decision().reasons().get(0).message()).contains("10 of 10 evaluations failed");
    }

    @Test
    void aCanaryThatFallsSilentForTheLastMinutesIsNoPass() {
        Instant quiet = T0.plus(Duration.ofMinutes(27).plusSeconds(30));
        BakeState s = bake(Specs.twoSlos(),
                healthy(4).canaryOverride(at -> at.isAfter(quiet) ? Reading.counts(0, 0) : null));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().reasons()).extracting(r -> r.type()).containsExactly(ReasonType.NO_CANARY_DATA);
        assertThat(s.decision().reasons().get(0).message()).contains("does not reach its end");
    }

    @Test
    void oneQuietLastIntervalOfATrickleIsWithinTheSlack() {
        Instant quiet = T0.plus(Duration.ofMinutes(29));
        BakeState s = bake(Specs.twoSlos(),
                healthy(5).canaryOverride(at -> at.isAfter(quiet) ? Reading.counts(0, 0) : null));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void invalidEvidenceStopsTheBakeAtOnce() {
        Instant broken = T0.plus(Duration.ofMinutes(3));
        BakeState s = bake(Specs.twoSlos(), healthy(6).canaryOverride(at -> at.isAfter(broken)
                ? Reading.missing(Reading.Status.INVALID, "the bad query answered -1.0; a count cannot be negative")
                : null));
        assertThat(s.decision().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(s.decision().decidedAt()).isEqualTo(T0.plus(Duration.ofMinutes(4)));
        assertThat(s.decision().reasons()).extracting(r -> r.type()).contains(ReasonType.INVALID_QUERY_RESULT);
        assertThat(List.of(s.decision().reasons().get(0).message())).anySatisfy(m -> assertThat(m).contains("negative"));
    }
}
