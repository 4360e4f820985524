package io.prodgate.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.prodgate.core.config.GateFileException.Problem;
import io.prodgate.core.util.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A position in a gate file that reads typed fields and records every problem with its field path.
 *
 * <p>Readers never throw on bad input: they record a problem and return a harmless default, so that one run of
 * {@code prodgate validate} reports everything wrong with a file, not just the first thing.
 */
public final class ConfigNode {
    private final String file;
    private final String path;
    private final JsonNode node;
    private final List<Problem> problems;

    private ConfigNode(String file, String path, JsonNode node, List<Problem> problems) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.problems = problems;
    }

    /** The root of a parsed file; problems found below it go to {@code problems}. */
    public static ConfigNode root(String file, JsonNode node, List<Problem> problems) {
        return new ConfigNode(file, "", node, problems);
    }

    public String file() {
        return file;
    }

    public String path() {
        return path;
    }

    public boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    /** Records a problem at this node's path, or at {@code path.field} when a field is named. */
    public void problem(String field, String message) {
        problems.add(new Problem(file, join(field), message));
    }

    public void problem(String message) {
        problems.add(new Problem(file, path, message));
    }

    /** Flags fields that this node does not know, with the nearest known name as a hint. */
    public void allowOnly(String... names) {
        Set<String> known = Set.of(names);
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!known.contains(f)) {
                String hint = nearest(f, known).map(n -> " (did you mean '" + n + "'?)").orElse("");
                problem(f, "unknown field" + hint + "; known fields: " + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    public Optional<ConfigNode> object(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            problem(name, "must be a mapping of fields, got " + kind(v));
            return Optional.empty();
        }
        return Optional.of(new ConfigNode(file, join(name), v, problems));
    }

    public ConfigNode requireObject(String name) {
        Optional<ConfigNode> o = object(name);
        if (o.isEmpty() && !has(name)) {
            problem(name, "is required");
        }
        return o.orElseGet(() -> new ConfigNode(file, join(name), com.fasterxml.jackson.databind.node.MissingNode.getInstance(), problems));
    }

    /** The elements of a list field; each element's path is {@code name[i]}. */
    public List<ConfigNode> list(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            problem(name, "must be a list, got " + kind(v));
            return List.of();
        }
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(new ConfigNode(file, join(name) + "[" + i + "]", v.get(i), problems));
        }
        return out;
    }

    public boolean isObject() {
        return node.isObject();
    }

    public Optional<String> string(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isValueNode() || v.isBoolean()) {
            problem(name, "must be text, got " + kind(v));
            return Optional.empty();
        }
        String s = v.asText();
        if (s.isBlank()) {
            problem(name, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public String requireString(String name) {
        if (!has(name)) {
            problem(name, "is required");
            return "";
        }
        return string(name).orElse("");
    }

    public Map<String, String> stringMap(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        object(name).ifPresent(o -> o.node.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue().asText());
            } else {
                o.problem(e.getKey(), "must be text, got " + kind(e.getValue()));
            }
        }));
        return out;
    }

    public List<String> stringList(String name) {
        List<String> out = new ArrayList<>();
        for (ConfigNode item : list(name)) {
            if (item.node.isValueNode() && !item.node.isNull()) {
                out.add(item.node.asText());
            } else {
                item.problem("must be text, got " + kind(item.node));
            }
        }
        return out;
    }

    public Optional<Double> number(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        Double d = null;
        if (v.isNumber()) {
            d = v.asDouble();
        } else if (v.isTextual()) {
            String t = v.asText().trim();
            try {
                d = Double.parseDouble(t.endsWith("%") ? t.substring(0, t.length() - 1) : t);
            } catch (NumberFormatException e) {
                // the problem below
            }
        }
        if (d == null) {
            problem(name, "must be a number, got " + kind(v) + " '" + abbreviated(v.asText()) + "'");
            return Optional.empty();
        }
        if (!Double.isFinite(d)) {
            // An over-long number reads as infinity; "got Infinity" would not tell where it came from.
            problem(name, "must be a finite number of sensible size, got '" + abbreviated(v.asText()) + "'");
            return Optional.empty();
        }
        return Optional.of(d);
    }

    /** A number in {@code [min, max]}; outside it, a problem and the default. */
    public double numberIn(String name, double min, double max, double def) {
        Optional<Double> n = number(name);
        if (n.isEmpty()) {
            return def;
        }
        double d = n.get();
        if (!(d >= min && d <= max)) {
            problem(name, "must be between " + plain(min) + " and " + plain(max) + ", got " + plain(d));
            return def;
        }
        return d;
    }

    public int integerIn(String name, int min, int max, int def) {
        Optional<Double> n = number(name);
        if (n.isEmpty()) {
            return def;
        }
        double d = n.get();
        if (d != Math.rint(d) || d < min || d > max) {
            problem(name, "must be a whole number between " + min + " and " + max + ", got " + plain(d));
            return def;
        }
        return (int) d;
    }

    public boolean bool(String name, boolean def) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return def;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        problem(name, "must be true or false, got " + kind(v));
        return def;
    }

    /** A duration such as {@code 30m} or {@code PT30M}, within {@code [min, max]}. */
    public Duration duration(String name, Duration def, Duration min, Duration max) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return def;
        }
        Duration d;
        try {
            d = v.isNumber() ? Duration.ofMillis(Math.round(v.asDouble() * 1000)) : Durations.parse(v.asText());
        } catch (IllegalArgumentException e) {
            problem(name, e.getMessage());
            return def;
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            problem(name, "must be between " + Durations.human(min) + " and " + Durations.human(max) + ", got " + Durations.human(d));
            return def;
        }
        return d;
    }

    /** One of {@code choices} (case-insensitive), returned in lower case. */
    public String choice(String name, String def, String... choices) {
        Optional<String> s = string(name);
        if (s.isEmpty()) {
            return def;
        }
        String v = s.get().toLowerCase(java.util.Locale.ROOT);
        for (String c : choices) {
            if (c.equals(v)) {
                return c;
            }
        }
        problem(name, "must be one of " + String.join(", ", choices) + ", got '" + s.get() + "'");
        return def;
    }

    private String join(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static String kind(JsonNode v) {
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isBoolean()) {
            return "a boolean";
        }
        if (v.isNumber()) {
            return "a number";
        }
        if (v.isMissingNode() || v.isNull()) {
            return "nothing";
        }
        return "text";
    }

    private static String abbreviated(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static String plain(double d) {
        return Double.isFinite(d) ? java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString() : Double.toString(d);
    }

    /** The known name nearest to a misspelt {@code name}, if one is near enough to suggest ("did you mean"). */
    public static Optional<String> nearest(String name, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = levenshtein(name.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
