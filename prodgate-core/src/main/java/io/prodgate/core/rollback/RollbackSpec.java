package io.prodgate.core.rollback;

import io.prodgate.core.action.Action;
import io.prodgate.core.http.HttpRequestSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code rollback} section: how to roll back, and how to tell that it worked.
 *
 * @param target        base URL for relative URLs (version, health, HTTP actions)
 * @param deadline      how long after the action the target may take to report {@code expectVersion} and be healthy
 * @param expectVersion the previous version, which the target must report after the rollback
 * @param health        optional; without it only the version is verified
 * @param sloQueries    judged once, after version and health are back; need the prometheus section
 */
public record RollbackSpec(Optional<String> target, Action action, Duration deadline, String expectVersion,
                           VersionSource version, Optional<HealthProbe> health, List<SloQuery> sloQueries,
                           Duration pollInterval, Optional<RollForwardSpec> rollForward) {
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

    public RollbackSpec {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(expectVersion, "expectVersion");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(health, "health");
        sloQueries = List.copyOf(sloQueries);
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(rollForward, "rollForward");
    }

    public RollbackSpec withTarget(String newTarget) {
        return new RollbackSpec(Optional.of(newTarget), action, deadline, expectVersion, version, health, sloQueries,
                pollInterval, rollForward);
    }

    /** The rollback alone, without rolling forward again: what an automatic rollback after a failed canary runs. */
    public RollbackSpec withoutRollForward() {
        return new RollbackSpec(target, action, deadline, expectVersion, version, health, sloQueries, pollInterval,
                Optional.empty());
    }

    /** Every HTTP request the section may send: the actions', the version source's and the health probe's. */
    public List<HttpRequestSpec> requests() {
        List<HttpRequestSpec> out = new ArrayList<>();
        if (action instanceof Action.Http h) {
            out.add(h.request());
        }
        if (rollForward.isPresent() && rollForward.get().action() instanceof Action.Http h) {
            out.add(h.request());
        }
        if (version instanceof VersionSource.Http h) {
            out.add(h.request());
        }
        health.ifPresent(h -> out.add(h.request()));
        return out;
    }

    /** Whether verifying needs the prometheus section. */
    public boolean needsPrometheus() {
        return version instanceof VersionSource.Promql || !sloQueries.isEmpty();
    }
}
