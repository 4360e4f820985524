package io.prodgate.core.report;

import io.prodgate.core.util.Numbers;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An SVG timeline of one SLO over a bake: the canary's and the baseline's cumulative figures, the threshold as a
 * dashed line, and the decision point as a marked vertical line.
 */
final class TimelineSvg {
    static final String CANARY = "#c2410c";
    static final String BASELINE = "#2563eb";
    static final String THRESHOLD = "#6b7385";
    private static final int W = 760;
    private static final int H = 220;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 14;
    private static final int BOTTOM = 30;

    record Point(Instant at, Double value) {
    }

    /** A moment on the time axis worth a line of its own, e.g. a progressive canary's shift to its next step. */
    record Marker(Instant at, String label) {
    }

    private TimelineSvg() {
    }

    /**
     * @param percent     whether values are ratios to show as percentages
     * @param threshold   a horizontal line (the error budget, a bound), or null
     * @param decidedAt   the decision point, or null
     * @param markers     dotted vertical lines with a label at the foot, e.g. where each step began
     */
    static String render(String id, Instant start, Instant end, List<Point> canary, List<Point> baseline,
                         Double threshold, String thresholdLabel, Instant decidedAt, String decisionLabel,
                         boolean percent, List<Marker> markers) {
        double max = 0;
        double min = 0;
        for (List<Point> series : List.of(canary, baseline)) {
            for (Point p : series) {
                if (p.value() != null) {
                    max = Math.max(max, p.value());
                    min = Math.min(min, p.value());
                }
            }
        }
        if (threshold != null) {
            max = Math.max(max, threshold * 1.15);
            min = Math.min(min, threshold);
        }
        if (max <= min) {
            max = min + (percent ? 0.01 : 1);
        }
        max *= 1.08;
        double span = Math.max(1, Duration.between(start, end).toMillis());
        final double lo = min;
        final double hi = max;
        java.util.function.DoubleUnaryOperator y = v -> TOP + (H - TOP - BOTTOM) * (1 - (v - lo) / (hi - lo));
        java.util.function.Function<Instant, Double> x = t ->
                LEFT + (W - LEFT - RIGHT) * Math.max(0, Math.min(1, Duration.between(start, t).toMillis() / span));
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg id=\"%s\" class=\"timeline\" role=\"img\" viewBox=\"0 0 %d %d\" "
                + "width=\"100%%\" xmlns=\"http://www.w3.org/2000/svg\">", Html.esc(id), W, H));
        s.append("<title>").append(Html.esc(id)).append("</title>");
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            double yy = y.applyAsDouble(v);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e6eb\"/>",
                    LEFT, W - RIGHT, yy, yy));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT - 6,
                    yy + 4, Html.esc(label(v, percent))));
        }
        long minutes = Duration.between(start, end).toMinutes();
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">0</text>", LEFT, H - 8));
        boolean inMinutes = minutes > 0;
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d %s</text>", W - RIGHT,
                H - 8, inMinutes ? minutes : Duration.between(start, end).toSeconds(), inMinutes ? "min" : "s"));
        if (threshold != null) {
            double yy = y.applyAsDouble(threshold);
            s.append(String.format(Locale.ROOT, "<line class=\"threshold\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                    + "stroke=\"%s\" stroke-dasharray=\"6 4\"/>", LEFT, W - RIGHT, yy, yy, THRESHOLD));
            // on the left, where it cannot collide with the decision's label, which is usually at the right end
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\">%s</text>", LEFT + 4, yy - 4,
                    Html.esc(thresholdLabel)));
        }
        for (Marker m : markers) {
            double xx = x.apply(m.at());
            s.append(String.format(Locale.ROOT, "<line class=\"step\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
                    + "stroke=\"%s\" stroke-dasharray=\"2 3\"/>", xx, xx, TOP, H - BOTTOM, THRESHOLD));
            s.append(String.format(Locale.ROOT, "<text class=\"step-label\" x=\"%.1f\" y=\"%d\">%s</text>", xx + 3,
                    H - BOTTOM - 4, Html.esc(m.label())));
        }
        polyline(s, "baseline", baseline, x, y, BASELINE);
        polyline(s, "canary", canary, x, y, CANARY);
        if (decidedAt != null) {
            double xx = x.apply(decidedAt);
            s.append(String.format(Locale.ROOT, "<line class=\"decision\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
                    + "stroke=\"#1d2330\" stroke-width=\"1.5\"/>", xx, xx, TOP, H - BOTTOM));
            s.append(String.format(Locale.ROOT, "<text class=\"decision-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>",
                    xx + (xx > W - 160 ? -4 : 4), TOP + 10, xx > W - 160 ? "end" : "start", Html.esc(decisionLabel)));
        }
        s.append("</svg>");
        return s.toString();
    }

    private static void polyline(StringBuilder s, String cls, List<Point> points,
                                 java.util.function.Function<Instant, Double> x,
                                 java.util.function.DoubleUnaryOperator y, String colour) {
        if (points.stream().noneMatch(p -> p.value() != null)) {
            return;
        }
        s.append(String.format(Locale.ROOT,
                "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", Html.esc(cls),
                Html.esc(colour)));
        boolean first = true;
        for (Point p : points) {
            if (p.value() != null) {
                s.append(String.format(Locale.ROOT, first ? "%.1f,%.1f" : " %.1f,%.1f", x.apply(p.at()),
                        y.applyAsDouble(p.value())));
                first = false;
            }
        }
        s.append("\"/>");
    }

    static String label(double v, boolean percent) {
        return percent ? Numbers.percent(v) : Numbers.value(v);
    }
}
