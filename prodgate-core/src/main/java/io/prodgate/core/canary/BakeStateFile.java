package io.prodgate.core.canary;

import io.prodgate.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A bake's state file, saved after each evaluation at a cost that does not grow with the bake: it remembers what it
 * wrote, and a state that extends it (the same bake, more evaluations) is appended, its new evaluations and a progress
 * line, flushed to the disk ({@link BakeStates} describes the lines). Anything else is written whole, atomically
 * (write-then-rename): the first save (the file may hold a torn line, an older format or another bake), a state that
 * is not an extension (another bake, fewer evaluations, another start), a file changed by someone else, and the save
 * after one that failed.
 */
public final class BakeStateFile {
    private final Path file;
    /** What the file holds, as this object wrote it; null when unknown. */
    private BakeState written;
    private long size;

    public BakeStateFile(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    public Path file() {
        return file;
    }

    public synchronized void save(BakeState state) throws IOException {
        BakeState before = written;
        written = null; // unknown until this save succeeds
        if (before != null && extendsIt(before, state)) {
            if (state.evaluations().size() == before.evaluations().size() && sameProgress(before, state)) {
                written = before;
                return; // nothing changed
            }
            byte[] lines = BakeStates.appended(state, before.evaluations().size()).getBytes(StandardCharsets.UTF_8);
            if (AtomicFiles.append(file, lines, size)) {
                size += lines.length;
                written = state;
                return;
            }
        }
        byte[] whole = BakeStates.toJson(state).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, whole);
        size = whole.length;
        written = state;
    }

    /**
     * Whether {@code next} is {@code prev} with evaluations added: the same bake and start, at least as many
     * evaluations, and the last one written the same. An evaluation is never changed once made, so that check stands
     * for the whole prefix at the cost of one.
     */
    private static boolean extendsIt(BakeState prev, BakeState next) {
        List<Evaluation> old = prev.evaluations();
        List<Evaluation> now = next.evaluations();
        return prev.format() == next.format() && prev.gateDigest().equals(next.gateDigest())
                && prev.startedAt().equals(next.startedAt()) && now.size() >= old.size()
                && (old.isEmpty() || old.get(old.size() - 1).equals(now.get(old.size() - 1)));
    }

    private static boolean sameProgress(BakeState a, BakeState b) {
        return a.endsAt().equals(b.endsAt()) && a.nextEvaluationAt().equals(b.nextEvaluationAt())
                && a.steps().equals(b.steps()) && Objects.equals(a.decision(), b.decision());
    }
}
