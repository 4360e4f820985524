package io.prodgate.core.gatefile;

import io.prodgate.core.action.Action;
import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.http.HttpRequestSpec;
import io.prodgate.core.rollback.HealthProbe;
import io.prodgate.core.rollback.RollForwardSpec;
import io.prodgate.core.rollback.RollbackSpec;
import io.prodgate.core.rollback.SloQuery;
import io.prodgate.core.rollback.VersionSource;
import io.prodgate.core.util.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/** Reads the {@code rollback} section: the action, how to verify it, and the optional roll-forward. */
final class RollbackSection {
    private RollbackSection() {
    }

    static RollbackSpec read(ConfigNode n) {
        n.allowOnly("target", "action", "deadline", "expectVersion", "version", "health", "sloQueries",
                "pollInterval", "rollForward", "restoreWithin");
        Optional<String> target = n.string("target");
        target.ifPresent(t -> SmokeSection.checkAbsoluteUrl(n, "target", t));
        Action action = ActionFields.read(n.requireObject("action"), Set.of());
        Duration deadline = n.duration("deadline", RollbackSpec.DEFAULT_DEADLINE, Duration.ofSeconds(1),
                Duration.ofDays(1));
        String expect = n.requireString("expectVersion");
        VersionSource version = version(n.requireObject("version"));
        Optional<HealthProbe> health = n.object("health").map(RollbackSection::health);
        Duration interval = n.duration("pollInterval", RollbackSpec.DEFAULT_POLL_INTERVAL, Duration.ofMillis(10),
                Duration.ofMinutes(5));
        if (interval.compareTo(deadline) > 0) {
            n.problem("pollInterval", "must not be longer than the deadline (" + Durations.human(deadline) + ")");
        }
        List<SloQuery> slos = sloQueries(n);
        Optional<RollForwardSpec> forward = n.object("rollForward").map(f -> rollForward(f, deadline));
        if (n.has("rollForward") && forward.isPresent() && forward.get() == null) {
            return null;
        }
        if (action == null || expect.isEmpty() || version == null || (n.has("health") && health.isEmpty())
                || (n.has("rollForward") && forward.isEmpty())) {
            return null; // problems were recorded; the loader throws before this is used
        }
        if (forward.isPresent() && forward.get().expectVersion().equals(expect)) {
            n.problem("rollForward.expectVersion", "must differ from expectVersion (" + expect
                    + "), or the roll-forward proves nothing");
            return null;
        }
        return new RollbackSpec(target, action, deadline, expect, version, health, slos, interval, forward);
    }

    /** Flags what reads from Prometheus, for a file without a {@code prometheus} section. */
    static void requirePrometheus(ConfigNode root, RollbackSpec spec) {
        String why = "reads from Prometheus, but the file has no prometheus section (url and credentials)";
        if (spec.version() instanceof VersionSource.Promql) {
            root.problem("rollback.version.promql", why);
        }
        if (!spec.sloQueries().isEmpty()) {
            root.problem("rollback.sloQueries", why);
        }
    }

    private static VersionSource version(ConfigNode n) {
        n.allowOnly("http", "promql", "label", "selector");
        boolean http = n.has("http");
        boolean promql = n.has("promql");
        if (http == promql) {
            n.problem(http ? "give http or promql, not both"
                    : "needs http ({url, jsonField}) or promql (with label) to read the version");
            return null;
        }
        if (http) {
            if (n.has("label") || n.has("selector")) {
                n.problem(n.has("label") ? "label" : "selector", "belongs to promql, not to http");
            }
            return n.object("http").map(h -> {
                h.allowOnly("url", "jsonField", "headers", "headersFromEnv", "timeout");
                HttpRequestSpec r = SmokeSection.request(h, "GET", SmokeSection.DEFAULT_POLL_TIMEOUT, false);
                Optional<String> field = h.string("jsonField");
                if (field.isPresent() && !field.get().startsWith("/")) {
                    h.problem("jsonField", "must be a JSON pointer such as /version, got '" + field.get() + "'");
                    return null;
                }
                return r == null ? null : (VersionSource) new VersionSource.Http(r, field);
            }).orElse(null);
        }
        String query = n.requireString("promql");
        String label = n.requireString("label");
        String selector = n.string("selector").orElse("");
        if (!label.isEmpty() && !label.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
            n.problem("label", "must be a Prometheus label name such as version, got '" + label + "'");
            return null;
        }
        if (query.contains("${selector}") && selector.isEmpty()) {
            n.problem("selector", "is required: promql uses ${selector}");
        }
        if (query.isEmpty() || label.isEmpty()) {
            return null;
        }
        return new VersionSource.Promql(query, label, selector);
    }

    private static HealthProbe health(ConfigNode n) {
        n.allowOnly("url", "expectStatus", "headers", "headersFromEnv", "timeout");
        HttpRequestSpec r = SmokeSection.request(n, "GET", SmokeSection.DEFAULT_POLL_TIMEOUT, false);
        int status = SmokeSection.status(n, "expectStatus");
        return r == null ? null : new HealthProbe(r, status);
    }

    private static List<SloQuery> sloQueries(ConfigNode n) {
        List<SloQuery> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ConfigNode q : n.list("sloQueries")) {
            if (!q.isObject()) {
                q.problem("must be a mapping with name, query and max (or min)");
                continue;
            }
            q.allowOnly("name", "query", "min", "max");
            String name = q.requireString("name");
            String query = q.requireString("query");
            OptionalDouble min = q.number("min").map(OptionalDouble::of).orElse(OptionalDouble.empty());
            OptionalDouble max = q.number("max").map(OptionalDouble::of).orElse(OptionalDouble.empty());
            if (min.isEmpty() && max.isEmpty() && !q.has("min") && !q.has("max")) {
                q.problem("needs max, min or both");
            }
            if (min.isPresent() && max.isPresent() && min.getAsDouble() > max.getAsDouble()) {
                q.problem("min", "must not be greater than max");
            }
            if (!name.isEmpty() && !names.add(name)) {
                q.problem("name", "'" + name + "' is used by another SLO query; names must be unique");
            }
            if (!name.isEmpty() && !query.isEmpty() && (min.isPresent() || max.isPresent())) {
                out.add(new SloQuery(name, query, min, max));
            }
        }
        return out;
    }

    private static RollForwardSpec rollForward(ConfigNode n, Duration defaultDeadline) {
        n.allowOnly("action", "expectVersion", "deadline");
        Action action = ActionFields.read(n.requireObject("action"), Set.of());
        String expect = n.requireString("expectVersion");
        Duration deadline = n.duration("deadline", defaultDeadline, Duration.ofSeconds(1), Duration.ofDays(1));
        return action == null || expect.isEmpty() ? null : new RollForwardSpec(action, expect, deadline);
    }
}
