package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A bake keeps only what its next evaluation reads: the latest cumulative figures per SLO and side, however many
 * evaluations it has had, and however many bakes run side by side. Sizes are counted (entries, serialized bytes), not
 * timed or read from the garbage collector.
 */
class PrometheusEvidenceMemoryTest {
    static final Instant T0 = CanaryGateTest.T0;
    static final CanarySpec SPEC = Specs.twoSlos();
    /** The bound for what one bake of 30 evaluations may keep. */
    static final int BOUND = 16 * 1024;

    final FakePrometheus prometheus = new FakePrometheus((query, time) -> {
        long s = Math.round(time) - T0.getEpochSecond();
        if (query.startsWith("count(")) {
            return "1"; // the metric has series
        }
        return Long.toString(query.startsWith("total") ? 100 * s : query.startsWith("bad") ? s : 3 * s);
    });

    static List<SloEvidence> evaluate(PrometheusEvidence evidence, int i) {
        return evidence.collect(SPEC, T0, T0.plusSeconds(60L * (i - 1)), T0.plusSeconds(60L * i));
    }

    static int serializedSize(Serializable state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }

    @Test
    void threeThousandBakesOfThirtyEvaluationsEachKeepAFewFigures() {
        List<PrometheusEvidence> bakes = new ArrayList<>();
        for (int b = 0; b < 3000; b++) {
            PrometheusEvidence evidence = new PrometheusEvidence(prometheus.client);
            for (int i = 1; i <= 30; i++) {
                evaluate(evidence, i);
            }
            bakes.add(evidence);
        }
        assertThat(prometheus.requests.get()).isEqualTo(3000 * 30); // one request per evaluation
        long total = 0;
        int largest = 0;
        for (PrometheusEvidence evidence : bakes) {
            assertThat(evidence.keptFigures()).isEqualTo(4); // two SLOs, two sides
            int size = serializedSize(evidence.retained());
            total += size;
            largest = Math.max(largest, size);
        }
        System.out.println("kept per bake after 30 evaluations: " + total / bakes.size() + " bytes serialized, at most "
                + largest);
        assertThat(largest).isLessThan(BOUND / 4);
        assertThat(total).isLessThan(3000L * BOUND / 4);
    }

    @Test
    void theKeptFiguresDoNotGrowWithTheEvaluations() {
        PrometheusEvidence evidence = new PrometheusEvidence(prometheus.client);
        int afterThirty = 0;
        for (int i = 1; i <= 1000; i++) {
            List<SloEvidence> readings = evaluate(evidence, i);
            assertThat(readings.get(0).canary().total()).isEqualTo(6000);
            assertThat(readings.get(0).canary().bad()).isEqualTo(60);
            assertThat(readings.get(1).baseline().bad()).isEqualTo(180);
            if (i == 30) {
                afterThirty = serializedSize(evidence.retained());
            }
            assertThat(evidence.keptFigures()).isEqualTo(4);
        }
        // the same entries; only the windows' texts grow a few characters ("30m" to "16h40m")
        assertThat(serializedSize(evidence.retained())).isBetween(afterThirty - 16, afterThirty + 64);
        assertThat(prometheus.requests.get()).isEqualTo(1000);
    }

    @Test
    void aBakeResumedByAnotherProcessAsksTheStartOfItsFirstWindowOnce() {
        for (int i = 1; i <= 10; i++) {
            evaluate(new PrometheusEvidence(prometheus.client), 1);
        }
        assertThat(prometheus.requests.get()).isEqualTo(10);
        PrometheusEvidence resumed = new PrometheusEvidence(prometheus.client);
        List<SloEvidence> first = evaluate(resumed, 11);
        assertThat(prometheus.requests.get()).isEqualTo(12); // the figures at the window's start are not known yet
        assertThat(first.get(0).canary().total()).isEqualTo(6000);
        evaluate(resumed, 12);
        assertThat(prometheus.requests.get()).isEqualTo(13);
    }
}
