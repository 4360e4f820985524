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
                throw new IllegalArgumentException("not a duration: '" + abbreviated(t) + "'");
            }
        }
        if (!WHOLE.matcher(t).matches()) {
            throw new IllegalArgumentException("not a duration: '" + abbreviated(t) + "' (write e.g. 30s, 5m, 1h30m)");
        }
        try {
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
                    default -> Duration.ofDays(Math.multiplyExact(7, n));
                });
            }
            return total;
        } catch (ArithmeticException | NumberFormatException e) {
            // Beyond what a long of seconds holds; no field accepts anything near it, so say so plainly.
            throw new IllegalArgumentException("'" + abbreviated(t) + "' is far too long a duration");
        }
    }

    /** Long inputs shortened for a message. */
    private static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
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
