package io.prodgate.core.prometheus;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;

/**
 * Prometheus API times: Unix seconds with a decimal fraction ({@code 1700000000.5}). Every Prometheus-compatible
 * backend accepts this form, unlike RFC 3339 or duration strings; BigDecimal keeps nanoseconds exact.
 */
final class EpochSeconds {
    private EpochSeconds() {
    }

    static String format(Instant time) {
        return plain(BigDecimal.valueOf(time.getEpochSecond()).add(BigDecimal.valueOf(time.getNano(), 9)));
    }

    static String format(Duration duration) {
        return plain(BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9)));
    }

    static Instant parse(BigDecimal seconds) {
        BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
        long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
        return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }
}
