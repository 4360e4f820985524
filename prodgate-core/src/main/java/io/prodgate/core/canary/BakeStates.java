package io.prodgate.core.canary;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prodgate.core.util.AtomicFiles;
import io.prodgate.core.util.Json;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Reads and writes a bake's state file, so that a crash mid-write never loses the previous state.
 *
 * <p>Format 2 is JSON lines, each a record with the CRC32 of its payload: a header (format, gate digest, start), one
 * line per evaluation, and after the evaluations of each save a progress line (how many evaluations the state holds,
 * its end, next evaluation, steps and decision). A save appends only its new evaluations and a progress line
 * ({@link BakeStateFile}), so it costs the same however long the bake; the state is the one at the last progress line.
 * A torn last line (a crash mid-append) is dropped with the evaluations after that progress line, which gives the state
 * saved before it; a damaged line before the last is an error naming it. For example:
 * <pre>
 * {"crc32":"6c1c9a40","header":{"format":2,"gateDigest":"sha256:...","startedAt":"2026-11-24T10:00:00Z"}}
 * {"crc32":"2d3f5b21","progress":{"evaluations":0,"endsAt":"2026-11-24T10:20:00Z","nextEvaluationAt":...}}
 * {"crc32":"91e07c3a","evaluation":{"from":"2026-11-24T10:00:00Z","at":"2026-11-24T10:01:00Z","slos":[...]}}
 * {"crc32":"0b7d44e9","progress":{"evaluations":1,"endsAt":"2026-11-24T10:20:00Z","nextEvaluationAt":...}}
 * </pre>
 * Format 1, one indented JSON object of the whole state rewritten at each save, is still read.
 */
public final class BakeStates {
    private static final ObjectMapper JSON = Json.MAPPER.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ObjectMapper LINES = JSON.copy().disable(SerializationFeature.INDENT_OUTPUT);
    private static final String LINE_START = "{\"crc32\":\"";
    private static final Pattern LINE = Pattern.compile("\\{\"crc32\":\"([0-9a-f]{8})\",\"([a-z]+)\":(.*)}");
    private static final String HEADER = "header";
    private static final String EVALUATION = "evaluation";
    private static final String PROGRESS = "progress";
    /** The last format that was one JSON object. */
    private static final int FORMAT_1 = 1;

    /** A format-2 file's first line. */
    record Header(int format, String gateDigest, Instant startedAt) {
        Header {
            Objects.requireNonNull(gateDigest, "gateDigest");
            Objects.requireNonNull(startedAt, "startedAt");
        }
    }

    /** The parts of a state besides its evaluations, after a save's evaluations. */
    record Progress(int evaluations, Instant endsAt, Instant nextEvaluationAt, List<StepProgress> steps,
                    Decision decision) {
        Progress {
            Objects.requireNonNull(endsAt, "endsAt");
            Objects.requireNonNull(nextEvaluationAt, "nextEvaluationAt");
        }
    }

    /** A state file of a format this version does not read (written by a newer prodgate?). */
    public static final class UnsupportedFormatException extends IOException {
        private final int format;

        UnsupportedFormatException(int format) {
            super("bake state format " + format + " is not supported (this prodgate reads formats " + FORMAT_1
                    + " and " + BakeState.FORMAT + "; was it written by a newer one?)");
            this.format = format;
        }

        public int format() {
            return format;
        }
    }

    private BakeStates() {
    }

    /** The whole state file of {@code state}, in the current format (JSON lines). */
    public static String toJson(BakeState state) {
        StringBuilder out = new StringBuilder();
        out.append(line(HEADER, new Header(BakeState.FORMAT, state.gateDigest(), state.startedAt())));
        return appendLines(out, state, 0).toString();
    }

    /**
     * The lines that a file holding {@code state}'s first {@code from} evaluations (and a progress line) takes to hold
     * {@code state}: the evaluations after them, and a progress line.
     */
    static String appended(BakeState state, int from) {
        return appendLines(new StringBuilder(), state, from).toString();
    }

    private static StringBuilder appendLines(StringBuilder out, BakeState state, int from) {
        List<Evaluation> evaluations = state.evaluations();
        for (int i = from; i < evaluations.size(); i++) {
            out.append(line(EVALUATION, evaluations.get(i)));
        }
        return out.append(line(PROGRESS, new Progress(evaluations.size(), state.endsAt(), state.nextEvaluationAt(),
                state.steps(), state.decision())));
    }

    private static String line(String kind, Object payload) {
        String json;
        try {
            json = LINES.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a bake state always serializes", e);
        }
        return LINE_START + crc32(json) + "\",\"" + kind + "\":" + json + "}\n";
    }

    private static String crc32(String payload) {
        CRC32 crc = new CRC32();
        crc.update(payload.getBytes(StandardCharsets.UTF_8));
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /**
     * The state in {@code json}, the text of a state file of format 2 (JSON lines) or 1 (one JSON object).
     *
     * @throws IOException with a message fit for the user when it is not a bake state of these formats
     */
    public static BakeState fromJson(String json) throws IOException {
        if (json.isBlank()) {
            throw new IOException("it is empty or null");
        }
        return json.startsWith(LINE_START) ? fromLines(json) : fromObject(json);
    }

    /** Writes the whole of {@code state} to {@code file}, atomically (write-then-rename). */
    public static void write(Path file, BakeState state) throws IOException {
        AtomicFiles.writeString(file, toJson(state));
    }

    /** The state in {@code file}; see {@link #fromJson}. */
    public static BakeState read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new IOException("it is not UTF-8 text (a binary file?)");
        }
        return fromJson(text);
    }

    private static BakeState fromLines(String text) throws IOException {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1); // the end of the last line
        }
        Header header = header(lines.get(0));
        List<Evaluation> evaluations = new ArrayList<>();
        int saved = 0;
        Progress progress = null;
        for (int i = 1; i < lines.size(); i++) {
            Object record;
            try {
                record = record(lines.get(i));
            } catch (BadLine e) {
                if (i == lines.size() - 1) {
                    break; // torn by a crash mid-append: the state before it stands
                }
                throw new IOException("line " + (i + 1) + " of " + lines.size() + " " + e.getMessage()
                        + " (only a torn last line, from a crash mid-write, is dropped)");
            }
            if (record instanceof Evaluation e) {
                evaluations.add(e);
            } else if (record instanceof Progress p) {
                if (p.evaluations() != evaluations.size()) {
                    throw new IOException("line " + (i + 1) + " of " + lines.size() + " says the state holds "
                            + p.evaluations() + " evaluations, but " + evaluations.size() + " lines precede it");
                }
                progress = p;
                saved = evaluations.size();
            } else {
                throw new IOException("line " + (i + 1) + " of " + lines.size() + " is a second header");
            }
        }
        if (progress == null) {
            throw new IOException("it holds a header but no saved state after it");
        }
        return new BakeState(BakeState.FORMAT, header.gateDigest(), header.startedAt(), progress.endsAt(),
                progress.nextEvaluationAt(), evaluations.subList(0, saved), progress.decision(), progress.steps());
    }

    private static Header header(String line) throws IOException {
        Matcher m = LINE.matcher(line);
        if (!m.matches() || !m.group(2).equals(HEADER)) {
            throw new IOException("line 1 is not a bake state header");
        }
        JsonNode format;
        try {
            format = LINES.readTree(m.group(3)).path("format");
        } catch (JsonProcessingException e) {
            throw new IOException("line 1 is not a bake state header: " + e.getOriginalMessage());
        }
        if (!format.isInt()) {
            throw new IOException("line 1 is not a bake state header: it names no format");
        }
        if (format.intValue() != BakeState.FORMAT) {
            throw new UnsupportedFormatException(format.intValue());
        }
        try {
            return (Header) record(line);
        } catch (BadLine e) {
            throw new IOException("line 1 " + e.getMessage());
        }
    }

    /** Why a line is not a record: "is ...". */
    private static final class BadLine extends Exception {
        BadLine(String message) {
            super(message, null, false, false);
        }
    }

    private static Object record(String line) throws BadLine {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            throw new BadLine("is not a bake state line");
        }
        String payload = m.group(3);
        if (!crc32(payload).equals(m.group(1))) {
            throw new BadLine("is damaged: its checksum does not match its content");
        }
        Class<?> type = switch (m.group(2)) {
            case HEADER -> Header.class;
            case EVALUATION -> Evaluation.class;
            case PROGRESS -> Progress.class;
            default -> throw new BadLine("is a record of an unknown kind, " + m.group(2));
        };
        try {
            Object record = LINES.readValue(payload, type);
            if (record == null) {
                throw new BadLine("is an empty " + m.group(2));
            }
            return record;
        } catch (JsonProcessingException e) {
            throw new BadLine("is not a valid " + m.group(2) + " (" + where(e) + ")");
        }
    }

    private static BakeState fromObject(String json) throws IOException {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonParseException e) {
            throw new IOException("it is not JSON (" + where(e) + "): " + e.getOriginalMessage());
        }
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            throw new IOException("it is empty or null");
        }
        JsonNode format = tree.path("format");
        if (format.isInt() && format.intValue() == BakeState.FORMAT) {
            throw new IOException("it is JSON, but not a bake state of format " + BakeState.FORMAT
                    + " (JSON lines, the first a header)");
        }
        if (format.isInt() && format.intValue() != FORMAT_1) {
            throw new UnsupportedFormatException(format.intValue());
        }
        BakeState s;
        try {
            s = JSON.readValue(json, BakeState.class);
        } catch (JsonParseException e) {
            throw new IOException("it is not JSON (" + where(e) + "): " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            // Wrong types or missing fields: Jackson's message names internal classes, so say it plainly.
            throw new IOException("it is JSON, but not a bake state (" + where(e) + "): missing or malformed fields");
        }
        if (s == null) {
            throw new IOException("it is empty or null");
        }
        if (s.format() != FORMAT_1) {
            throw new UnsupportedFormatException(s.format());
        }
        // the same fields: a state of format 1 goes on as one of the current format (its next save rewrites it whole)
        return new BakeState(BakeState.FORMAT, s.gateDigest(), s.startedAt(), s.endsAt(), s.nextEvaluationAt(),
                s.evaluations(), s.decision(), s.steps());
    }

    private static String where(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "somewhere" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
}
