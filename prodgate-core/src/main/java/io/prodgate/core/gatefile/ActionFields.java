package io.prodgate.core.gatefile;

import io.prodgate.core.action.Action;
import io.prodgate.core.action.Placeholders;
import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.exec.CommandSpec;
import io.prodgate.core.http.HttpRequestSpec;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads an action: {@code command: {run: [...], ...}} or {@code http: {url: ..., ...}}, the shape of
 * {@code rollback.action}, for any section that acts on the system.
 */
final class ActionFields {
    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(2);
    static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(30);

    private ActionFields() {
    }

    /**
     * The action at {@code n}, or null after a problem.
     *
     * @param variables the names the action receives through {@link Action#withVariables}, such as {@code weight}:
     *                  every {@code ${...}} in its arguments, URL and body must name one of them. Empty for an
     *                  action that receives none; there {@code ${...}} is text like any other (a rollback's
     *                  {@code sh -c} script may use shell variables).
     */
    static Action read(ConfigNode n, Set<String> variables) {
        n.allowOnly("command", "http");
        boolean cmd = n.has("command");
        boolean http = n.has("http");
        if (cmd == http) {
            n.problem(cmd ? "give command or http, not both" : "needs command (run: [...]) or http (url: ...)");
            return null;
        }
        if (cmd) {
            return n.object("command").map(c -> {
                c.allowOnly("run", "timeout", "expectExit", "env", "workingDir");
                CommandSpec spec = SmokeSection.commandSpec(c, DEFAULT_COMMAND_TIMEOUT);
                int exit = c.integerIn("expectExit", 0, 255, 0);
                if (spec == null) {
                    return null;
                }
                if (!variables.isEmpty()) {
                    checkCommand(c, spec, variables);
                }
                return (Action) new Action.Command(spec, exit);
            }).orElse(null);
        }
        return n.object("http").map(h -> {
            h.allowOnly("method", "url", "headers", "headersFromEnv", "body", "expectStatus", "timeout");
            HttpRequestSpec r = SmokeSection.request(h, "POST", DEFAULT_HTTP_TIMEOUT, true, variables);
            int status = SmokeSection.status(h, "expectStatus");
            if (r == null) {
                return null;
            }
            if (!variables.isEmpty()) {
                checkText(h, "url", r.url(), variables, false);
                r.body().ifPresent(b -> checkText(h, "body", b, variables, false));
                r.headers().forEach((name, value) -> notSubstituted(h, "headers." + name, value, variables,
                        "url and body"));
            }
            return (Action) new Action.Http(r, status);
        }).orElse(null);
    }

    private static void checkCommand(ConfigNode c, CommandSpec spec, Set<String> variables) {
        List<String> run = spec.run();
        // A list element that is not text was refused and left out, so indexes are exact only when none was.
        boolean exact = c.list("run").size() == run.size();
        for (int i = 0; i < run.size(); i++) {
            checkText(c, exact ? "run[" + i + "]" : "run", run.get(i), variables, true);
        }
        spec.env().forEach((name, value) -> notSubstituted(c, "env." + name, value, variables, "run"));
        spec.workingDir().ifPresent(d -> notSubstituted(c, "workingDir", d.toString(), variables, "run"));
    }

    /** Every placeholder in {@code text} names a variable, and none is cut short. */
    private static void checkText(ConfigNode n, String field, String text, Set<String> variables, boolean argument) {
        for (String name : new LinkedHashSet<>(Placeholders.names(text))) {
            if (variables.contains(name)) {
                continue;
            }
            // A shell script's own ${NAME} would be replaced by nothing: say how to keep it for the shell.
            String shell = argument && name.matches("[A-Za-z_][A-Za-z0-9_]*")
                    ? "; for the shell's own variable write $" + name + ", without braces" : "";
            n.problem(field, "unknown placeholder ${" + name + "}; this action knows " + known(variables) + shell);
        }
        if (Placeholders.hasUnclosed(text)) {
            n.problem(field, "has ${ without a closing }; write a variable as " + known(variables));
        }
    }

    /** A variable where none is substituted would be sent as written: refuse it rather than surprise. */
    private static void notSubstituted(ConfigNode n, String field, String text, Set<String> variables,
                                       String where) {
        for (String name : new LinkedHashSet<>(Placeholders.names(text))) {
            if (variables.contains(name)) {
                n.problem(field, "${" + name + "} is replaced only in " + where + ", not here");
            }
        }
    }

    private static String known(Set<String> variables) {
        return variables.stream().sorted().map(v -> "${" + v + "}").collect(Collectors.joining(", "));
    }

    /**
     * {@code text} with a sample value in each placeholder, for checking it as it will be sent (a URL); unchanged
     * for an action without variables. Unknown placeholders get one too: they are reported on their own.
     */
    static String sample(String text, Set<String> variables) {
        if (variables.isEmpty()) {
            return text;
        }
        // A number fits wherever a weight does: a path segment, a query value, a JSON body.
        return Placeholders.substitute(text, Placeholders.names(text).stream().distinct()
                .collect(Collectors.toMap(v -> v, v -> "0")));
    }
}
