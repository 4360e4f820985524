package io.prodgate.core.prometheus;

import java.util.Map;
import java.util.TreeMap;

/** Small formatting helpers shared by the outcome messages. */
final class Texts {
    static final int QUERY_LIMIT = 200;
    static final int EXCERPT_LIMIT = 200;

    private Texts() {
    }

    static String quote(String query) {
        return "`" + truncate(query.strip().replaceAll("\\s+", " "), QUERY_LIMIT) + "`";
    }

    /** Whitespace collapsed and cut, so that an HTML error page fits in one log line. */
    static String excerpt(String body) {
        return truncate(body.strip().replaceAll("\\s+", " "), EXCERPT_LIMIT);
    }

    static String truncate(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit) + "...";
    }

    static String afterAttempts(int attempts) {
        return "after " + plural(attempts, "attempt", "attempts");
    }

    static String plural(int count, String one, String many) {
        return count + " " + (count == 1 ? one : many);
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }

    static String labels(Map<String, String> labels) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (out.length() > 1) {
                out.append(", ");
            }
            out.append(e.getKey()).append("=\"").append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        return out.append('}').toString();
    }
}
