package io.prodgate.core.gatefile;

import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.config.SecretRef;
import io.prodgate.core.exec.CommandSpec;
import io.prodgate.core.http.HttpRequestSpec;
import io.prodgate.core.http.HttpUrls;
import io.prodgate.core.smoke.CommandCheck;
import io.prodgate.core.smoke.HealthCheck;
import io.prodgate.core.smoke.HttpCheck;
import io.prodgate.core.smoke.JsonFieldExpect;
import io.prodgate.core.smoke.SmokeBudget;
import io.prodgate.core.smoke.SmokeCheck;
import io.prodgate.core.smoke.SmokeSpec;
import io.prodgate.core.util.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the {@code smoke} section: target, time box, budget and checks. The request and command readers are shared
 * with the {@code rollback} section.
 */
final class SmokeSection {
    static final Duration DEFAULT_HEALTH_DEADLINE = Duration.ofSeconds(60);
    static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(2);
    static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Set<String> KINDS = Set.of("health", "http", "command");
    private static final String CREDENTIALS_INSTEAD = "use headersFromEnv for an Authorization header";

    private SmokeSection() {
    }

    static SmokeSpec read(ConfigNode n) {
        n.allowOnly("target", "timeBox", "budget", "checks", "mode");
        boolean advisory = n.choice("mode", "blocking", "blocking", "advisory").equals("advisory");
        Optional<String> target = n.string("target");
        target.ifPresent(t -> checkAbsoluteUrl(n, "target", t));
        Duration timeBox = n.duration("timeBox", SmokeSpec.DEFAULT_TIME_BOX, Duration.ofSeconds(1),
                Duration.ofHours(1));
        SmokeBudget budget = n.object("budget").map(SmokeSection::budget).orElse(SmokeBudget.defaults());

        List<ConfigNode> items = n.list("checks");
        if (items.isEmpty()) {
            n.problem("checks", n.has("checks") ? "must list at least one check"
                    : "is required: a few checks that show the deploy works");
        }
        List<SmokeCheck> checks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        boolean broken = false;
        for (ConfigNode item : items) {
            if (!item.isObject()) {
                item.problem("must be a mapping with name and one of health, http or command");
                broken = true;
                continue;
            }
            SmokeCheck c = check(item);
            if (c == null) {
                broken = true;
                continue;
            }
            if (!names.add(c.name())) {
                item.problem("name", "'" + c.name() + "' is used by another check; names must be unique");
            }
            checks.add(c);
        }
        if (broken || checks.isEmpty()) {
            return null; // problems were recorded; the loader throws before this is used
        }
        return new SmokeSpec(target, timeBox, budget, checks, advisory);
    }

    private static SmokeBudget budget(ConfigNode n) {
        n.allowOnly("maxChecks", "maxDuration", "onExceed");
        int maxChecks = n.integerIn("maxChecks", 1, 1000, SmokeBudget.DEFAULT_MAX_CHECKS);
        Duration maxDuration = n.duration("maxDuration", SmokeBudget.DEFAULT_MAX_DURATION, Duration.ofSeconds(1),
                Duration.ofDays(1));
        String onExceed = n.choice("onExceed", "fail", "fail", "warn");
        return new SmokeBudget(maxChecks, maxDuration,
                onExceed.equals("warn") ? SmokeBudget.OnExceed.WARN : SmokeBudget.OnExceed.FAIL);
    }

    private static SmokeCheck check(ConfigNode n) {
        n.allowOnly("name", "health", "http", "command");
        String name = n.requireString("name");
        List<String> given = KINDS.stream().filter(n::has).sorted().toList();
        if (given.size() != 1) {
            n.problem(given.isEmpty() ? "needs one of health, http or command"
                    : "give one of health, http or command, not " + String.join(" and ", given));
            return null;
        }
        SmokeCheck c = switch (given.get(0)) {
            case "health" -> n.object("health").map(h -> health(name, h)).orElse(null);
            case "http" -> n.object("http").map(h -> http(name, h)).orElse(null);
            default -> n.object("command").map(h -> command(name, h)).orElse(null);
        };
        return name.isEmpty() ? null : c;
    }

    private static HealthCheck health(String name, ConfigNode n) {
        n.allowOnly("url", "deadline", "interval", "expectStatus", "timeout", "headers", "headersFromEnv");
        Duration deadline = n.duration("deadline", DEFAULT_HEALTH_DEADLINE, Duration.ofMillis(100),
                Duration.ofHours(1));
        Duration interval = n.duration("interval", DEFAULT_HEALTH_INTERVAL, Duration.ofMillis(10),
                Duration.ofMinutes(10));
        if (interval.compareTo(deadline) > 0) {
            n.problem("interval", "must not be longer than the deadline (" + Durations.human(deadline) + ")");
        }
        HttpRequestSpec r = request(n, "GET", DEFAULT_POLL_TIMEOUT, false);
        int status = status(n, "expectStatus");
        return r == null ? null : new HealthCheck(name, r, deadline, interval, status);
    }

    private static HttpCheck http(String name, ConfigNode n) {
        n.allowOnly("method", "url", "headers", "headersFromEnv", "body", "expectStatus", "bodyContains", "jsonField",
                "maxLatency", "timeout");
        HttpRequestSpec r = request(n, "GET", DEFAULT_HTTP_TIMEOUT, true);
        int status = status(n, "expectStatus");
        Optional<String> contains = n.string("bodyContains");
        Optional<JsonFieldExpect> json = n.object("jsonField").map(SmokeSection::jsonField);
        Optional<Duration> maxLatency = n.has("maxLatency")
                ? Optional.of(n.duration("maxLatency", Duration.ZERO, Duration.ofMillis(1), Duration.ofMinutes(10)))
                : Optional.empty();
        if (r != null && maxLatency.isPresent() && maxLatency.get().compareTo(r.timeout()) > 0) {
            n.problem("maxLatency", "must not be longer than the timeout (" + Durations.human(r.timeout()) + ")");
        }
        if (r == null || (n.has("jsonField") && json.isEmpty()) || (n.has("maxLatency") && maxLatency.get().isZero())) {
            return null;
        }
        return new HttpCheck(name, r, status, contains, json, maxLatency);
    }

    private static JsonFieldExpect jsonField(ConfigNode n) {
        n.allowOnly("path", "equals");
        String path = n.requireString("path");
        if (!path.isEmpty() && !path.startsWith("/")) {
            n.problem("path", "must be a JSON pointer such as /status or /items/0/id, got '" + path + "'");
        }
        if (!n.has("equals")) {
            n.problem("equals", "is required: the value the field must have (quote true, false and null)");
        }
        Optional<String> equals = n.string("equals");
        return path.startsWith("/") && equals.isPresent() ? new JsonFieldExpect(path, equals.get()) : null;
    }

    private static CommandCheck command(String name, ConfigNode n) {
        n.allowOnly("run", "timeout", "expectExit", "outputContains", "env", "workingDir");
        CommandSpec spec = commandSpec(n, DEFAULT_COMMAND_TIMEOUT);
        int exit = n.integerIn("expectExit", 0, 255, 0);
        Optional<String> contains = n.string("outputContains");
        return spec == null ? null : new CommandCheck(name, spec, exit, contains);
    }

    /** {@code run}, {@code timeout}, {@code env} and {@code workingDir} of a command; null after a problem. */
    static CommandSpec commandSpec(ConfigNode n, Duration defaultTimeout) {
        List<String> run = n.stringList("run");
        if (run.isEmpty()) {
            n.problem("run", n.has("run") ? "must name at least the program, e.g. [\"sh\", \"-c\", \"...\"]"
                    : "is required: the program and its arguments, e.g. [\"sh\", \"-c\", \"...\"]");
        } else if (run.get(0).isBlank()) {
            n.problem("run", "must start with the program to run, got an empty first element");
        }
        Duration timeout = n.duration("timeout", defaultTimeout, Duration.ofMillis(100), Duration.ofHours(1));
        Map<String, String> env = n.stringMap("env");
        Optional<Path> dir = Optional.empty();
        Optional<String> wd = n.string("workingDir");
        if (wd.isPresent()) {
            try {
                dir = Optional.of(Path.of(wd.get()));
            } catch (java.nio.file.InvalidPathException e) {
                n.problem("workingDir", "is not a path: " + e.getReason());
            }
        }
        if (run.isEmpty() || run.get(0).isBlank()) {
            return null;
        }
        return new CommandSpec(run, timeout, env, dir);
    }

    /**
     * The request fields of a node: method, url, headers, headersFromEnv, body, timeout.
     *
     * @param withBody whether method and body may be given (health polls are always a plain GET)
     */
    static HttpRequestSpec request(ConfigNode n, String defaultMethod, Duration defaultTimeout, boolean withBody) {
        return request(n, defaultMethod, defaultTimeout, withBody, Set.of());
    }

    /**
     * As {@link #request(ConfigNode, String, Duration, boolean)}, for a request that receives {@code variables}: its
     * URL is checked as it will be sent, with a value in each {@code ${name}}.
     */
    static HttpRequestSpec request(ConfigNode n, String defaultMethod, Duration defaultTimeout, boolean withBody,
                                   Set<String> variables) {
        String method = defaultMethod;
        Optional<String> body = Optional.empty();
        if (withBody) {
            method = n.string("method").map(m -> m.toUpperCase(Locale.ROOT)).orElse(defaultMethod);
            if (!METHODS.contains(method)) {
                n.problem("method", "must be one of " + String.join(", ", METHODS.stream().sorted().toList())
                        + ", got '" + method + "'");
                method = defaultMethod;
            }
            body = n.string("body");
            if (body.isPresent() && (method.equals("GET") || method.equals("HEAD"))) {
                n.problem("body", "cannot be sent with " + method + "; use POST, PUT or PATCH");
            }
        }
        String url = n.requireString("url");
        if (!url.isEmpty()) {
            if (url.contains("://")) {
                // ${weight} is not URL text; the value that replaces it is.
                String sent = ActionFields.sample(url, variables);
                HttpUrls.problem(sent, CREDENTIALS_INSTEAD).ifPresent(p -> n.problem("url",
                        p.replace(HttpUrls.withoutUserinfo(sent), HttpUrls.withoutUserinfo(url))));
            } else if (!url.startsWith("/")) {
                n.problem("url", "must be an http(s):// URL or a path starting with / (relative to the target), got '"
                        + url + "'");
            }
        }
        Map<String, String> headers = n.stringMap("headers");
        // Credentials in plain headers would end up in a committed file and in every report.
        HeaderFields.checkPlain(n, "headers", headers, h -> "use headersFromEnv: {" + h + ": SOME_ENV_VAR}");
        Map<String, SecretRef> secret = new LinkedHashMap<>();
        String base = n.path().isEmpty() ? "headersFromEnv" : n.path() + ".headersFromEnv";
        Map<String, String> fromEnv = n.stringMap("headersFromEnv");
        HeaderFields.checkNames(n, "headersFromEnv", fromEnv.keySet());
        fromEnv.forEach((h, env) -> {
            if (headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(h))) {
                n.problem("headersFromEnv", h + " is also in headers; give it once");
            }
            if (!env.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                n.problem("headersFromEnv", h + " must name an environment variable, got '" + env + "'");
            }
            secret.put(h, new SecretRef(SecretRef.Kind.ENV, env, base + "." + h));
        });
        Duration timeout = n.duration("timeout", defaultTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
        if (url.isEmpty()) {
            return null;
        }
        return new HttpRequestSpec(method, url, headers, secret, body, timeout);
    }

    static int status(ConfigNode n, String field) {
        return n.integerIn(field, 100, 599, 200);
    }

    /** An http(s) URL with a host and without credentials. */
    static void checkAbsoluteUrl(ConfigNode n, String field, String url) {
        HttpUrls.problem(url, CREDENTIALS_INSTEAD).ifPresent(p -> n.problem(field, p));
    }
}
