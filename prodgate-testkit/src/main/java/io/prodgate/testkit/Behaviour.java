package io.prodgate.testkit;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a {@link SampleService} instance behaves: the version it reports, how often {@code /api/checkout}
 * fails, how slow it is, and whether {@code /healthz} reports UP.
 *
 * <p>Latency is drawn from a lognormal distribution: {@code median * exp(sigma * Z)} with Z standard
 * normal (so {@code latencyMedianSeconds} is the median, and {@code sigma == 0} gives a constant latency).
 * Immutable; change it with the {@code with...} methods or a {@link #builder()}.
 *
 * @param version the version reported by {@code /version} and {@code build_info}
 * @param errorRate probability in [0, 1] that a checkout answers 500
 * @param latencyMedianSeconds median checkout latency in seconds, &gt; 0 and at most 60
 * @param latencySigma lognormal sigma (spread), in [0, 5]
 * @param healthy whether {@code /healthz} answers 200 UP (else 503 DOWN)
 */
public record Behaviour(
        String version, double errorRate, double latencyMedianSeconds, double latencySigma, boolean healthy) {

    /** The version the sample service reports unless told otherwise. */
    public static final String DEFAULT_VERSION = "1.4.2";

    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

    public Behaviour {
        Objects.requireNonNull(version, "version");
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException(
                    "version must be 1-64 characters of [A-Za-z0-9._+-] starting with a letter or digit, got: " + version);
        }
        if (!(errorRate >= 0.0 && errorRate <= 1.0)) {
            throw new IllegalArgumentException("errorRate must be in [0, 1], got: " + errorRate);
        }
        if (!(latencyMedianSeconds > 0.0 && latencyMedianSeconds <= 60.0)) {
            throw new IllegalArgumentException("latencyMedianSeconds must be in (0, 60], got: " + latencyMedianSeconds);
        }
        if (!(latencySigma >= 0.0 && latencySigma <= 5.0)) {
            throw new IllegalArgumentException("latencySigma must be in [0, 5], got: " + latencySigma);
        }
    }

    /** Version 1.4.2, no errors, 30 ms median latency with sigma 0.3, healthy. */
    public static Behaviour defaults() {
        return new Behaviour(DEFAULT_VERSION, 0.0, 0.030, 0.3, true);
    }

    public static Builder builder() {
        return new Builder(defaults());
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public Behaviour withVersion(String newVersion) {
        return new Behaviour(newVersion, errorRate, latencyMedianSeconds, latencySigma, healthy);
    }

    public Behaviour withErrorRate(double newErrorRate) {
        return new Behaviour(version, newErrorRate, latencyMedianSeconds, latencySigma, healthy);
    }

    public Behaviour withLatencyMedianSeconds(double newMedian) {
        return new Behaviour(version, errorRate, newMedian, latencySigma, healthy);
    }

    public Behaviour withLatencySigma(double newSigma) {
        return new Behaviour(version, errorRate, latencyMedianSeconds, newSigma, healthy);
    }

    public Behaviour withHealthy(boolean newHealthy) {
        return new Behaviour(version, errorRate, latencyMedianSeconds, latencySigma, newHealthy);
    }

    /** Mutable builder; starts from {@link #defaults()} (or from an existing behaviour via {@link #toBuilder()}). */
    public static final class Builder {
        private String version;
        private double errorRate;
        private double latencyMedianSeconds;
        private double latencySigma;
        private boolean healthy;

        private Builder(Behaviour from) {
            this.version = from.version;
            this.errorRate = from.errorRate;
            this.latencyMedianSeconds = from.latencyMedianSeconds;
            this.latencySigma = from.latencySigma;
            this.healthy = from.healthy;
        }

        public Builder version(String version) {
            this.version = version;
            return this;
        }

        public Builder errorRate(double errorRate) {
            this.errorRate = errorRate;
            return this;
        }

        public Builder latencyMedianSeconds(double latencyMedianSeconds) {
            this.latencyMedianSeconds = latencyMedianSeconds;
            return this;
        }

        public Builder latencySigma(double latencySigma) {
            this.latencySigma = latencySigma;
            return this;
        }

        public Builder healthy(boolean healthy) {
            this.healthy = healthy;
            return this;
        }

        /** @throws IllegalArgumentException if a value is out of range */
        public Behaviour build() {
            return new Behaviour(version, errorRate, latencyMedianSeconds, latencySigma, healthy);
        }
    }
}
