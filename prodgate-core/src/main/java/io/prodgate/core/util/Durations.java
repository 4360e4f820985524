package io.prodgate.core.util;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in gate files: Prometheus style ({@code 30m}, {@code 1h30m}, {@code 90s}) or ISO-8601. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");
    private static final Pattern WHOLE = Pattern.compile("((\\d+)(ms|s|m|h|d|w))+");

    private Durations() {
    }

    /** Parses {@code text}, or throws IllegalArgumentException with a message fit for a gate-file problem. */
    public static Duration parse(String text) {
        String t = text.trim();
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration: '" + text + "'");
            }
        }
        if (!WHOLE.matcher(t).matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 30s, 5m, 1h30m)");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            });
        }
        return total;
    }

    /** Formats as a Prometheus range duration, e.g. {@code 90s}: what query templates receive as {@code ${window}}. */
    public static String promql(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    /** A short human form: {@code 30m}, {@code 1h5m}, {@code 45s}. */
    public static String human(Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return d.toMillis() + "ms";
        }
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
            s %= 3600;
        }
        if (s >= 60) {
            b.append(s / 60).append('m');
            s %= 60;
        }
        if (s > 0) {
            b.append(s).append('s');
        }
        return b.toString();
    }
}
