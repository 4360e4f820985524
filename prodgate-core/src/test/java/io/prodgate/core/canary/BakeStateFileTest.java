package io.prodgate.core.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prodgate.core.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --state} file: appended to at a cost that does not grow with the bake, resumed from as the state saved
 * last, a torn last line dropped, any other damage named by its line, format-1 files still read.
 */
class BakeStateFileTest {
    static final java.time.Instant T0 = CanaryGateTest.T0;

    @TempDir
    Path dir;

    static CanarySpec dayLong() {
        return Specs.twoSlos().toBuilder().bake(Duration.ofMinutes(1440)).build();
    }

    static SimulatedSource healthy() {
        return new SimulatedSource(7, 150, 15).slo("availability", 0.004, 0.004).slo("latency", 0.02, 0.02);
    }

    @Test
    void aDayLongBakeWritesAboutTheSameBytesAtItsLastEvaluationAsAtItsThirtieth() throws Exception {
        CanaryGate gate = CanaryGateTest.gate(dayLong(), healthy());
        Path file = dir.resolve("state.jsonl");
        BakeStateFile store = new BakeStateFile(file);
        BakeState s = gate.start(T0);
        store.save(s);
        List<Long> sizes = new ArrayList<>(List.of(Files.size(file)));
        while (!s.decided()) {
            s = gate.evaluate(s, s.nextEvaluationAt()).state();
            store.save(s);
            sizes.add(Files.size(file));
        }
        assertThat(s.evaluations()).hasSize(1440);
        assertThat(s.decision()).isNotNull();
        long at30 = sizes.get(30) - sizes.get(29);
        long at1439 = sizes.get(1439) - sizes.get(1438);
        long at1440 = sizes.get(1440) - sizes.get(1439);
        assertThat(at1439).as("the 1,439th evaluation appends about what the 30th did (%d bytes)", at30)
                .isBetween(at30 * 9 / 10, at30 * 11 / 10);
        assertThat(at1440).as("the last one adds the decision, not the bake (%d bytes at the 30th)", at30)
                .isLessThan(at30 + 2_000);
        long formerLastSave = Json.write(s).length(); // format 1 wrote the whole indented state at each save
        assertThat(sizes.get(1440)).as("the whole file, against what format 1 wrote at the last save alone")
                .isLessThan(formerLastSave);
        assertThat(at1440).isLessThan(formerLastSave / 100);
        assertThat(BakeStates.read(file)).isEqualTo(s);
    }

    @Test
    void aResumeFromTheFileEqualsTheUninterruptedBakeFieldByField() throws Exception {
        RolloutTest.SplitTraffic traffic = new RolloutTest.SplitTraffic(0.005, 0.005);
        CanaryGate gate = RolloutTest.gate(RolloutTest.spec(RolloutTest.threeSteps()), traffic);
        BakeState straight = RolloutTest.bake(gate, traffic, true);

        Path file = dir.resolve("state.jsonl");
        BakeStateFile store = new BakeStateFile(file);
        BakeState s = gate.start(T0);
        traffic.weight = s.currentStep().orElseThrow().weight();
        store.save(s);
        while (s.evaluations().size() < 17) {
            s = step(gate, traffic, s);
            store.save(s);
        }
        assertThat(s.steps()).as("in its second step").hasSize(2);
        // the process dies: a new store, from the file alone
        BakeState resumed = BakeStates.read(file);
        assertSameFields(resumed, s);
        BakeStateFile again = new BakeStateFile(file);
        while (!resumed.decided()) {
            resumed = step(gate, traffic, resumed);
            again.save(resumed);
        }
        assertSameFields(resumed, straight);
        assertSameFields(BakeStates.read(file), straight);
    }

    static BakeState step(CanaryGate gate, RolloutTest.SplitTraffic traffic, BakeState s) {
        int before = s.steps().size();
        BakeState next = gate.evaluate(s, s.nextEvaluationAt()).state();
        if (next.steps().size() > before) {
            traffic.weight = next.currentStep().orElseThrow().weight();
        }
        return next;
    }

    static void assertSameFields(BakeState actual, BakeState expected) {
        assertThat(actual.format()).isEqualTo(expected.format());
        assertThat(actual.gateDigest()).isEqualTo(expected.gateDigest());
        assertThat(actual.startedAt()).isEqualTo(expected.startedAt());
        assertThat(actual.endsAt()).isEqualTo(expected.endsAt());
        assertThat(actual.nextEvaluationAt()).isEqualTo(expected.nextEvaluationAt());
        assertThat(actual.evaluations()).isEqualTo(expected.evaluations());
        assertThat(actual.decision()).isEqualTo(expected.decision());
        assertThat(actual.steps()).isEqualTo(expected.steps());
        assertThat(actual).isEqualTo(expected);
    }

    /** Saves {@code n} evaluations of a healthy 30-minute bake, one save each; the states saved, the first new. */
    List<BakeState> saved(Path file, int n) throws IOException {
        CanaryGate gate = CanaryGateTest.gate(Specs.twoSlos(), healthy());
        BakeStateFile store = new BakeStateFile(file);
        List<BakeState> states = new ArrayList<>();
        BakeState s = gate.start(T0);
        store.save(s);
        states.add(s);
        for (int i = 0; i < n; i++) {
            s = gate.evaluate(s, s.nextEvaluationAt()).state();
            store.save(s);
            states.add(s);
        }
        return states;
    }

    @Test
    void aTornLastLineIsDroppedAndTheBakeGoesOnFromTheStateBeforeIt() throws Exception {
        Path file = dir.resolve("state.jsonl");
        List<BakeState> states = saved(file, 6);
        byte[] whole = Files.readAllBytes(file);
        String text = new String(whole, StandardCharsets.UTF_8);
        int lastProgress = text.lastIndexOf("{\"crc32\"", text.lastIndexOf("\"progress\""));
        int lastEvaluation = text.lastIndexOf("{\"crc32\"", lastProgress - 1);
        // torn in the last progress line, in the evaluation line of the last save, and a tail of zeros the file
        // system gave the file before its data
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 1));
        assertThat(BakeStates.read(file)).as("whole but for its line break").isEqualTo(states.get(6));
        for (int cut : new int[] {whole.length - 2, lastProgress + 20, lastEvaluation + 30, lastProgress}) {
            Files.write(file, java.util.Arrays.copyOf(whole, cut));
            assertThat(BakeStates.read(file)).as("cut at %d", cut).isEqualTo(states.get(5));
        }
        byte[] zeros = java.util.Arrays.copyOf(java.util.Arrays.copyOf(whole, lastEvaluation), lastEvaluation + 300);
        Files.write(file, zeros);
        assertThat(BakeStates.read(file)).isEqualTo(states.get(5));

        // the bake goes on from there, and the first save rewrites the file whole, without the torn line
        CanaryGate gate = CanaryGateTest.gate(Specs.twoSlos(), healthy());
        BakeState resumed = BakeStates.read(file);
        BakeStateFile store = new BakeStateFile(file);
        while (!resumed.decided()) {
            resumed = gate.evaluate(resumed, resumed.nextEvaluationAt()).state();
            store.save(resumed);
        }
        assertThat(resumed).isEqualTo(CanaryGateTest.bake(CanaryGateTest.gate(Specs.twoSlos(), healthy())));
        assertThat(BakeStates.read(file)).isEqualTo(resumed);
        assertThat(Files.readString(file)).doesNotContain("\0");
    }

    @Test
    void aDamagedLineBeforeTheLastIsAnErrorNamingIt() throws Exception {
        Path file = dir.resolve("state.jsonl");
        saved(file, 4);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1 + 1 + 4 * 2);

        List<String> flipped = new ArrayList<>(lines);
        flipped.set(2, lines.get(2).replace("\"at\":\"2026-11-24T10:01:00Z\"", "\"at\":\"2026-11-24T10:01:01Z\""));
        assertThat(flipped.get(2)).isNotEqualTo(lines.get(2));
        Files.write(file, flipped);
        assertThatThrownBy(() -> BakeStates.read(file)).isInstanceOf(IOException.class)
                .hasMessage("line 3 of 10 is damaged: its checksum does not match its content (only a torn last "
                        + "line, from a crash mid-write, is dropped)");

        List<String> garbage = new ArrayList<>(lines);
        garbage.set(5, "\0\0\0 not a line");
        Files.write(file, garbage);
        assertThatThrownBy(() -> BakeStates.read(file)).hasMessageStartingWith("line 6 of 10 is not a bake state line");

        List<String> missing = new ArrayList<>(lines);
        missing.remove(4); // an evaluation line gone: its progress line says how many there were
        Files.write(file, missing);
        assertThatThrownBy(() -> BakeStates.read(file))
                .hasMessage("line 5 of 9 says the state holds 2 evaluations, but 1 lines precede it");

        Files.write(file, List.of(lines.get(0)));
        assertThatThrownBy(() -> BakeStates.read(file)).hasMessage("it holds a header but no saved state after it");
    }

    @Test
    void aFormatOneFileLoadsAndTheNextSaveRewritesItInFormatTwo() throws Exception {
        CanaryGate gate = CanaryGateTest.gate(Specs.twoSlos(), healthy());
        BakeState s = gate.start(T0);
        for (int i = 0; i < 3; i++) {
            s = gate.evaluate(s, s.nextEvaluationAt()).state();
        }
        // as the former code wrote it: one indented JSON object of the whole state, format 1
        BakeState old = new BakeState(1, s.gateDigest(), s.startedAt(), s.endsAt(), s.nextEvaluationAt(),
                s.evaluations(), s.decision(), s.steps());
        Path file = Files.writeString(dir.resolve("state.json"), Json.MAPPER.writeValueAsString(old));
        assertThat(Files.readString(file)).startsWith("{\n  \"format\" : 1,");

        BakeState loaded = BakeStates.read(file);
        assertSameFields(loaded, s);
        BakeState next = gate.evaluate(loaded, loaded.nextEvaluationAt()).state();
        new BakeStateFile(file).save(next);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).matches("\\{\"crc32\":\"[0-9a-f]{8}\",\"header\":\\{\"format\":2,.*");
        assertThat(lines).hasSize(1 + 4 + 1);
        assertThat(BakeStates.read(file)).isEqualTo(next);
    }

    @Test
    void anUnknownFormatIsRefusedByItsNumber() throws Exception {
        String future = "{\"format\":3,\"gateDigest\":\"sha256:x\",\"startedAt\":\"2026-11-24T10:00:00Z\"}";
        String header = "{\"crc32\":\"00000000\",\"header\":{\"format\":3,\"gateDigest\":\"sha256:x\"}}\n";
        for (String text : new String[] {future, header}) {
            assertThatThrownBy(() -> BakeStates.fromJson(text)).as(text)
                    .isInstanceOf(BakeStates.UnsupportedFormatException.class)
                    .hasMessage("bake state format 3 is not supported (this prodgate reads formats 1 and 2; was it "
                            + "written by a newer one?)");
        }
    }

    @Test
    void aStateThatDoesNotExtendTheFileRewritesItWhole() throws Exception {
        Path file = dir.resolve("state.jsonl");
        CanaryGate gate = CanaryGateTest.gate(Specs.twoSlos(), healthy());
        BakeStateFile store = new BakeStateFile(file);
        List<BakeState> states = new ArrayList<>();
        BakeState s = gate.start(T0);
        for (int i = 0; i < 5; i++) {
            s = gate.evaluate(s, s.nextEvaluationAt()).state();
            store.save(s);
            states.add(s);
        }
        long appended = Files.size(file);
        store.save(states.get(4));
        assertThat(Files.size(file)).as("the same state again writes nothing").isEqualTo(appended);

        store.save(states.get(1)); // fewer evaluations
        assertThat(BakeStates.read(file)).isEqualTo(states.get(1));
        assertThat(Files.readAllLines(file)).hasSize(1 + 2 + 1);

        BakeState other = CanaryGateTest.gate(Specs.twoSlos(), healthy()).start(T0.plusSeconds(60));
        store.save(other); // another start
        assertThat(BakeStates.read(file)).isEqualTo(other);

        Files.writeString(file, "changed by someone else\n", java.nio.file.StandardOpenOption.APPEND);
        BakeState next = gate.evaluate(other, other.nextEvaluationAt()).state();
        store.save(next);
        assertThat(BakeStates.read(file)).isEqualTo(next);
        assertThat(Files.readString(file)).doesNotContain("someone else");

        Files.delete(file);
        BakeState after = gate.evaluate(next, next.nextEvaluationAt()).state();
        store.save(after);
        assertThat(BakeStates.read(file)).isEqualTo(after);
    }

    @Test
    void theJsonOfAStateIsWhatTheAppendsAddUpToWithoutTheEarlierProgressLines() throws Exception {
        Path file = dir.resolve("a.jsonl");
        BakeState s = saved(file, 3).get(3);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String last = lines.remove(lines.size() - 1);
        lines.removeIf(l -> l.contains("\"progress\":"));
        lines.add(last);
        assertThat(BakeStates.toJson(s)).isEqualTo(String.join("\n", lines) + "\n");
        assertThat(BakeStates.fromJson(BakeStates.toJson(s))).isEqualTo(s);
    }
}
