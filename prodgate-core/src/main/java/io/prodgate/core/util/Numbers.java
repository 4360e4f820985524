package io.prodgate.core.util;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * The one way prodgate writes numbers for people, on the console and in every report: percentages with the
 * precision their size needs, counts with thousands separators, multiples, plain values; and percentages for files
 * as the user wrote them (99.9, not 99.90000000000001).
 */
public final class Numbers {
    private Numbers() {
    }

    /** A fraction as a percentage: "99.9 %", "0.25 %", "0.0012 %"; trailing zeros dropped. */
    public static String percent(double fraction) {
        if (Double.isNaN(fraction)) {
            return "n/a";
        }
        double p = fraction * 100;
        if (p != 0 && Math.abs(p) < 0.01) {
            return String.format(Locale.ROOT, "%.4f %%", p);
        }
        String s = String.format(Locale.ROOT, Math.abs(p) < 1 ? "%.3f" : "%.2f", p);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s + " %";
    }

    /** A fraction in percent for a file, rounded to the 12 significant digits a user can have written. */
    public static double percentAsWritten(double fraction) {
        if (!Double.isFinite(fraction)) {
            return fraction;
        }
        return new BigDecimal(fraction * 100).round(new MathContext(12)).stripTrailingZeros().doubleValue();
    }

    /** A count of events: "1,234". */
    public static String count(double n) {
        return String.format(Locale.ROOT, "%,d", Math.round(n));
    }

    /** A multiple: "1.40x"; "unboundedly" where there is no bound. */
    public static String times(double x) {
        if (Double.isInfinite(x) || Double.isNaN(x)) {
            return "unboundedly";
        }
        return String.format(Locale.ROOT, "%.2fx", x);
    }

    /** A measured value: integers as they are, others to four significant digits. */
    public static String value(double x) {
        if (Double.isNaN(x)) {
            return "n/a";
        }
        if (x == Math.rint(x) && Math.abs(x) < 1e12) {
            return Long.toString((long) x);
        }
        return String.format(Locale.ROOT, "%.4g", x);
    }

    /** A chance, to the whole percent: "90 %". */
    public static String chance(double probability) {
        return String.format(Locale.ROOT, "%.0f %%", probability * 100);
    }

    /** A request rate: "120 req/s", "0.52 req/s". */
    public static String rate(double perSecond) {
        return String.format(Locale.ROOT, perSecond >= 10 ? "%.0f req/s" : "%.2g req/s", perSecond);
    }

    /** A sequential test's e-value, three significant digits: "0.412", "1.27e+03". */
    public static String evidence(double eValue) {
        return String.format(Locale.ROOT, "%.3g", eValue);
    }

    /** The e-value at which a test decides: "200". */
    public static String threshold(double eValue) {
        return String.format(Locale.ROOT, "%.0f", eValue);
    }
}
