package io.prodgate.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prodgate.core.canary.BacktestSummary;
import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.run.Backtest;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a backtest's window file: CSV with a header row, or YAML (a list of maps), with the fields {@code start}
 * (ISO-8601, required), {@code end} (ISO-8601, after start; default: start plus the gate's bake), {@code label}
 * ({@code good}, {@code bad} or empty) and {@code canary} / {@code baseline} (label matchers without braces that
 * replace the gate file's selectors for that window). Strict: every problem is named with the file, its line and the
 * field, all at once, and the command exits 64.
 */
final class BacktestWindows {
    /** The fields a window has, in the order a CSV header usually lists them. */
    static final List<String> FIELDS = List.of("start", "end", "label", "canary", "baseline");
    /** Larger window files are refused before they are read. */
    static final long MOST_BYTES = 4L * 1024 * 1024;
    private static final YAMLFactory YAML = new YAMLFactory();

    private final String file;
    private final List<String> problems = new ArrayList<>();

    private BacktestWindows(String file) {
        this.file = file;
    }

    /** The windows in {@code path}, in the file's order. */
    static List<Backtest.Window> read(Path path) throws UsageException {
        BacktestWindows reader = new BacktestWindows(path.toString());
        Path fileName = path.getFileName();
        String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        boolean csv = name.endsWith(".csv");
        if (!csv && !name.endsWith(".yaml") && !name.endsWith(".yml") && !name.endsWith(".json")) {
            throw new UsageException(path + ": a window file is CSV (.csv) or YAML (.yaml, .yml)");
        }
        String text;
        try {
            if (Files.size(path) > MOST_BYTES) {
                throw new UsageException(path + ": larger than " + MOST_BYTES / 1024 / 1024 + " MiB");
            }
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path))).toString();
        } catch (CharacterCodingException e) {
            throw new UsageException(path + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UsageException(path + ": cannot read the window file: " + e.getMessage());
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        List<Backtest.Window> windows = csv ? reader.csv(text) : reader.yaml(text);
        if (reader.problems.isEmpty() && windows.isEmpty()) {
            reader.problems.add(path + ": holds no window");
        }
        if (!reader.problems.isEmpty()) {
            throw new UsageException(String.join(System.lineSeparator(), reader.problems));
        }
        return windows;
    }

    private void problem(int line, String field, String message) {
        problems.add(file + ": line " + line + ": " + (field.isEmpty() ? "" : field + ": ") + message);
    }

    // ---- CSV -------------------------------------------------------------------------------------------------------

    private List<Backtest.Window> csv(String text) {
        List<Backtest.Window> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        List<String> header = null;
        for (int i = 0; i < lines.length; i++) {
            int line = i + 1;
            String raw = lines[i];
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            List<String> cells = cells(raw, line);
            if (cells == null) {
                continue;
            }
            if (header == null) {
                header = header(cells, line);
                if (header == null) {
                    return out;
                }
                continue;
            }
            if (cells.size() != header.size()) {
                problem(line, "", "has " + cells.size() + " fields, the header (" + String.join(",", header)
                        + ") " + header.size() + (cells.size() > header.size()
                        ? "; quote a field that holds a comma, e.g. \"version=\"\"v3\"\",track=\"\"canary\"\"\""
                        : ""));
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < cells.size(); c++) {
                row.put(header.get(c), cells.get(c));
            }
            Map<String, Integer> lineOf = new LinkedHashMap<>();
            row.keySet().forEach(k -> lineOf.put(k, line));
            Backtest.Window w = window(row, lineOf, line, file + ":" + line);
            if (w != null) {
                out.add(w);
            }
        }
        if (header == null) {
            problems.add(file + ": holds no header row (" + String.join(",", FIELDS) + ")");
        }
        return out;
    }

    private List<String> header(List<String> cells, int line) {
        List<String> header = new ArrayList<>();
        boolean ok = true;
        for (String c : cells) {
            String name = c.strip().toLowerCase(Locale.ROOT);
            if (!FIELDS.contains(name)) {
                problem(line, name.isEmpty() ? "header" : name, "unknown column" + suggestion(name)
                        + "; the header names columns among " + String.join(", ", FIELDS));
                ok = false;
            } else if (header.contains(name)) {
                problem(line, name, "is a column twice in the header");
                ok = false;
            }
            header.add(name);
        }
        if (ok && !header.contains("start")) {
            problem(line, "start", "the header has no start column; every window needs its start");
            ok = false;
        }
        return ok ? header : null;
    }

    /** One CSV record's fields (RFC 4180 quoting within a line), or null after a problem. */
    private List<String> cells(String raw, int line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < raw.length() && raw.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"' && !wasQuoted && cell.toString().isBlank()) {
                // a field that begins with a quote is quoted (RFC 4180); a quote later in a field is text
                cell.setLength(0);
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                out.add(wasQuoted ? cell.toString() : cell.toString().strip());
                cell.setLength(0);
                wasQuoted = false;
            } else if (wasQuoted && !Character.isWhitespace(c)) {
                problem(line, "", "text after a closing quote (column " + (i + 1) + ")");
                return null;
            } else if (!wasQuoted) {
                cell.append(c);
            }
        }
        if (quoted) {
            problem(line, "", "a quoted field is not closed (a field cannot span lines)");
            return null;
        }
        out.add(wasQuoted ? cell.toString() : cell.toString().strip());
        return out;
    }

    // ---- YAML ------------------------------------------------------------------------------------------------------

    private List<Backtest.Window> yaml(String text) {
        List<Backtest.Window> out = new ArrayList<>();
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return out;
            }
            if (t != JsonToken.START_ARRAY) {
                problem(line(p), "", "must be a list of windows, e.g. - { start: 2026-11-24T10:00:00Z, label: bad }");
                return out;
            }
            int index = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                int line = line(p);
                String path = "[" + index + "]";
                index++;
                if (t != JsonToken.START_OBJECT) {
                    problem(line, path, "must be a map with start and, optionally, end, label, canary, baseline");
                    p.skipChildren();
                    continue;
                }
                Map<String, String> row = new LinkedHashMap<>();
                Map<String, Integer> lineOf = new LinkedHashMap<>();
                boolean ok = true;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    int at = line(p);
                    JsonToken v = p.nextToken();
                    if (!FIELDS.contains(name)) {
                        problem(at, path + "." + name, "unknown field" + suggestion(name) + "; known fields: "
                                + String.join(", ", FIELDS));
                        p.skipChildren();
                        ok = false;
                        continue;
                    }
                    if (row.containsKey(name)) {
                        problem(at, path + "." + name, "is given twice (lines " + lineOf.get(name) + " and " + at
                                + ")");
                        p.skipChildren();
                        ok = false;
                        continue;
                    }
                    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                        problem(at, path + "." + name, "must be a single value, not a " + (v == JsonToken.START_OBJECT
                                ? "map" : "list"));
                        p.skipChildren();
                        ok = false;
                        continue;
                    }
                    row.put(name, v == JsonToken.VALUE_NULL ? "" : p.getText());
                    lineOf.put(name, at);
                }
                if (!ok) {
                    continue;
                }
                Backtest.Window w = window(row, lineOf, line, file + ":" + line, path);
                if (w != null) {
                    out.add(w);
                }
            }
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
            problems.add(file + ": " + where + "not valid YAML: " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            problems.add(file + ": cannot read: " + e.getMessage());
        }
        return out;
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    // ---- one window ------------------------------------------------------------------------------------------------

    private Backtest.Window window(Map<String, String> row, Map<String, Integer> lineOf, int line, String origin) {
        return window(row, lineOf, line, origin, "");
    }

    /** A window from its fields, or null after a problem; {@code path} prefixes field names (YAML: "[2]."). */
    private Backtest.Window window(Map<String, String> row, Map<String, Integer> lineOf, int line, String origin,
                                   String path) {
        String prefix = path.isEmpty() ? "" : path + ".";
        int before = problems.size();
        String startText = row.getOrDefault("start", "").strip();
        Instant start = null;
        if (startText.isEmpty()) {
            problem(lineOf.getOrDefault("start", line), prefix + "start", "is required: when the deploy began, "
                    + "ISO-8601 such as 2026-11-24T10:00:00Z");
        } else {
            start = time(startText, lineOf.get("start"), prefix + "start");
        }
        String endText = row.getOrDefault("end", "").strip();
        Instant end = endText.isEmpty() ? null : time(endText, lineOf.get("end"), prefix + "end");
        if (start != null && end != null && !end.isAfter(start)) {
            problem(lineOf.get("end"), prefix + "end", "'" + endText + "' must be after start (" + startText + ")");
        }
        String labelText = row.getOrDefault("label", "").strip();
        BacktestSummary.Label label = null;
        if (!labelText.isEmpty()) {
            try {
                label = BacktestSummary.Label.valueOf(labelText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problem(lineOf.get("label"), prefix + "label", "must be good, bad or empty, got '" + labelText + "'");
            }
        }
        String canary = selector(row, lineOf, "canary", prefix);
        String baseline = selector(row, lineOf, "baseline", prefix);
        if (canary != null && canary.equals(baseline)) {
            problem(lineOf.get("baseline"), prefix + "baseline", "must differ from canary");
        }
        if (problems.size() > before) {
            return null;
        }
        return new Backtest.Window(origin, start, end, label, canary, baseline);
    }

    private String selector(Map<String, String> row, Map<String, Integer> lineOf, String field, String prefix) {
        String text = row.getOrDefault(field, "").strip();
        if (text.isEmpty()) {
            return null;
        }
        if (text.startsWith("{") || text.endsWith("}")) {
            problem(lineOf.get(field), prefix + field, "label matchers without braces, e.g. version=\"v3\","
                    + "track=\"canary\", got '" + text + "'");
            return null;
        }
        for (char c : text.toCharArray()) {
            if (Character.isISOControl(c)) {
                problem(lineOf.get(field), prefix + field, "holds a control character (U+"
                        + String.format(Locale.ROOT, "%04X", (int) c) + ")");
                return null;
            }
        }
        return text;
    }

    private Instant time(String text, int line, String field) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                problem(line, field, "'" + text + "' is not an ISO-8601 time with a zone, such as "
                        + "2026-11-24T10:00:00Z");
                return null;
            }
        }
    }

    private static String suggestion(String name) {
        return ConfigNode.nearest(name, Set.copyOf(FIELDS)).map(f -> " (did you mean '" + f + "'?)").orElse("");
    }
}
