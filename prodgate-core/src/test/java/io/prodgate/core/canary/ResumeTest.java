package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bake stopped mid-way and resumed from its state file decides exactly as one that ran through. */
class ResumeTest {
    static final Instant T0 = CanaryGateTest.T0;

    static SimulatedSource source(double canaryBad) {
        return new SimulatedSource(21, 150, 15).slo("availability", 0.004, canaryBad).slo("latency", 0.02, 0.02);
    }

    @Test
    void resumingFromTheJsonStateFileGivesTheSameVerdict(@TempDir Path dir) throws Exception {
        for (double canaryBad : new double[] {0.004, 0.012}) {
            CanaryGate gate = CanaryGateTest.gate(Specs.twoSlos(), source(canaryBad));
            BakeState straight = CanaryGateTest.bake(gate);

            Path file = dir.resolve("state-" + canaryBad + ".json");
            BakeState s = gate.start(T0);
            for (int i = 0; i < 3 && !s.decided(); i++) {
                s = gate.evaluate(s, s.nextEvaluationAt()).state();
                BakeStates.write(file, s);
            }
            // "crash": a new gate and source, as a new process would have, from the file alone
            CanaryGate restarted = CanaryGateTest.gate(Specs.twoSlos(), source(canaryBad));
            BakeState resumed = BakeStates.read(file);
            while (!resumed.decided()) {
                resumed = restarted.evaluate(resumed, resumed.nextEvaluationAt()).state();
            }
            assertThat(resumed.decision()).isEqualTo(straight.decision());
            assertThat(resumed.evaluations()).isEqualTo(straight.evaluations());
        }
    }

    @Test
    void theStateSurvivesJavaSerializationAsJenkinsStoresIt() throws Exception {
        CanaryGate gate = CanaryGateTest.gate(Specs.twoSlos(), source(0.004));
        BakeState s = gate.start(T0);
        for (int i = 0; i < 5; i++) {
            s = gate.evaluate(s, s.nextEvaluationAt()).state();
        }
        assertThat(javaRoundTrip(s)).isEqualTo(s);
        BakeState decided = CanaryGateTest.bake(gate);
        assertThat(javaRoundTrip(decided)).isEqualTo(decided);
    }

    static BakeState javaRoundTrip(BakeState s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        assertThat(bytes.size()).as("a small state").isLessThan(40_000);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (BakeState) in.readObject();
        }
    }

    @Test
    void aLiveRunnerResumedLateEvaluatesAtOnceAndFinishesTheSameWay() throws Exception {
        CanaryGate gate = CanaryGateTest.gate(Specs.twoSlos(), source(0.004));
        BakeState straight = CanaryGateTest.bake(gate);
        BakeState s = gate.start(T0);
        s = gate.evaluate(s, s.nextEvaluationAt()).state();
        // the process was down until after the bake's end: the clock is past it, so no waiting is needed
        java.time.Clock late = java.time.Clock.fixed(straight.endsAt().plusSeconds(600), java.time.ZoneOffset.UTC);
        BakeState done = new BakeRunner(gate, step -> { }).live(s, late, d -> {
            throw new AssertionError("should not wait");
        });
        assertThat(done.decision().verdict()).isEqualTo(straight.decision().verdict());
        assertThat(done.decision().decidedAt()).isEqualTo(straight.endsAt());
    }
}
