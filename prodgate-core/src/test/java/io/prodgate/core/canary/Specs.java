package io.prodgate.core.canary;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

/** Canary specs for tests: a 30-minute bake judged every minute on availability and latency. */
final class Specs {
    static final String DIGEST = "sha256:test";

    private Specs() {
    }

    static RatioSlo availability() {
        return new RatioSlo("availability", "bad{${selector}}[${window}]", false, "total{${selector}}[${window}]", 0.99, 0.1);
    }

    static RatioSlo latency() {
        return new RatioSlo("latency", "slow{${selector}}[${window}]", false, "total{${selector}}[${window}]", 0.95, 0.1);
    }

    static CanarySpec twoSlos() {
        return spec(List.of(availability(), latency()), EvidencePolicy.inconclusive());
    }

    static CanarySpec spec(List<SloSpec> slos, EvidencePolicy policy) {
        return new CanarySpec("track=\"canary\"", "track=\"stable\"", Duration.ofMinutes(30), Duration.ofMinutes(1),
                0.01, 2.0, CanarySpec.DEFAULT_NEGLIGIBLE_SHARE, Duration.ofMinutes(5), slos, policy, false,
                Duration.ofHours(24), java.util.Optional.empty());
    }

    static ValueCheck cpu(double max) {
        return new ValueCheck("cpu", "cpu{${selector}}", OptionalDouble.empty(), OptionalDouble.of(max), 2);
    }
}
