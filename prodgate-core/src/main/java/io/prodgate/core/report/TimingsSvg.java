package io.prodgate.core.report;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** A waterfall of timed steps (smoke checks, rollback phases): when each started, how long it took, how it ended. */
final class TimingsSvg {
    private static final int W = 760;
    private static final int ROW = 26;
    private static final int LEFT = 190;
    private static final int RIGHT = 70;

    /** One bar; {@code ok} null for a step that did not run. */
    record Bar(String label, Instant start, Instant end, Boolean ok) {
    }

    private TimingsSvg() {
    }

    static String render(String id, Instant origin, List<Bar> bars, Duration limit, String limitLabel) {
        Instant last = origin;
        for (Bar b : bars) {
            if (b.end() != null && b.end().isAfter(last)) {
                last = b.end();
            }
        }
        double used = Math.max(1, Duration.between(origin, last).toMillis());
        // the limit is drawn to scale only when it is near what was used; far off, it would squash every bar
        boolean limitOnScale = limit != null && limit.toMillis() <= used * 2;
        double span = limitOnScale ? Math.max(used, limit.toMillis()) : used * 1.05;
        int h = 20 + ROW * bars.size() + 24;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg id=\"%s\" class=\"timings\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
                        + "xmlns=\"http://www.w3.org/2000/svg\"><title>%s</title>", Html.esc(id), W, h, Html.esc(id)));
        int i = 0;
        for (Bar b : bars) {
            int y = 14 + i * ROW;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", LEFT - 8, y + 14,
                    Html.esc(shorten(b.label()))));
            if (b.start() != null && b.end() != null) {
                double x0 = LEFT + (W - LEFT - RIGHT) * Duration.between(origin, b.start()).toMillis() / span;
                double x1 = LEFT + (W - LEFT - RIGHT) * Duration.between(origin, b.end()).toMillis() / span;
                String colour = b.ok() == null ? "#8a5a00" : b.ok() ? "#1f7a3f" : "#b3261e";
                s.append(String.format(Locale.ROOT, "<rect class=\"bar %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" "
                        + "rx=\"3\" fill=\"%s\"/>", b.ok() == null ? "skipped" : b.ok() ? "passed" : "failed", x0, y + 2,
                        Math.max(2, x1 - x0), colour));
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>", Math.max(x0, x1) + 5, y + 14,
                        Html.esc(seconds(Duration.between(b.start(), b.end())))));
            } else {
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"muted\">not run</text>", LEFT, y + 14));
            }
            i++;
        }
        if (limit != null && !limitOnScale) {
            s.append(String.format(Locale.ROOT, "<text class=\"limit\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s: %s (used %s)</text>",
                    W - 4, h - 4, Html.esc(limitLabel), Html.esc(seconds(limit)), Html.esc(seconds(Duration.ofMillis((long) used)))));
        } else if (limit != null) {
            double x = LEFT + (W - LEFT - RIGHT) * limit.toMillis() / span;
            s.append(String.format(Locale.ROOT, "<line class=\"limit\" x1=\"%.1f\" x2=\"%.1f\" y1=\"8\" y2=\"%d\" "
                    + "stroke=\"#6b7385\" stroke-dasharray=\"5 4\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"end\">%s</text>",
                    x, x, h - 18, x, h - 4, Html.esc(limitLabel)));
        }
        return s.append("</svg>").toString();
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, d.toMillis() < 10_000 ? "%.2f s" : "%.0f s", d.toMillis() / 1000.0);
    }

    private static String shorten(String s) {
        return s.length() <= 28 ? s : s.substring(0, 27) + "…";
    }
}
