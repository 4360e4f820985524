package io.prodgate.core.action;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.SecretSet;
import io.prodgate.core.exec.CommandRun;
import io.prodgate.core.exec.CommandRunner;
import io.prodgate.core.http.HttpExchange;
import io.prodgate.core.http.HttpProbe;
import io.prodgate.core.secret.Secret;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Excerpts;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs {@link Action}s and records what they did. A command runs for at most its timeout, with every process it
 * started stopped afterwards; an HTTP call is bounded by its request's timeout. The record keeps a bounded excerpt of
 * the output or answer, and no secret of the run appears in it.
 */
public final class ActionRunner {
    private final Clock clock;
    private final Path baseDir;
    private final SecretSet secrets;
    private final HttpProbe probe;
    private final Optional<String> target;

    /**
     * @param clock   for the record's timestamps
     * @param baseDir where commands run (or their {@code workingDir} below it): the gate file's folder
     * @param secrets the run's secrets, masked in every record
     * @param probe   sends the HTTP calls; the caller closes it
     * @param target  what relative URLs are resolved against
     */
    public ActionRunner(Clock clock, Path baseDir, SecretSet secrets, HttpProbe probe, Optional<String> target) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * The secret headers of {@code action}, resolved through the run's secrets (and so masked from now on); they hold
     * for every copy {@link Action#withVariables} makes of it. Resolve them before the gate does anything, so that an
     * unset variable stops it before it acts.
     *
     * @throws GateFileException naming the field when an environment variable is unset or unusable in a header
     */
    public Map<String, Secret> resolve(Action action) throws GateFileException {
        return action instanceof Action.Http h ? secrets.resolve(h.request().secretHeaders()) : Map.of();
    }

    /**
     * Runs {@code action} once.
     *
     * @param secretHeaders the HTTP call's secret headers, from {@link #resolve}; ignored for a command
     * @throws IllegalStateException for an HTTP call to a relative URL when the runner has no target
     */
    public ActionRecord run(Action action, Map<String, Secret> secretHeaders) {
        return action instanceof Action.Command c ? command(c) : http((Action.Http) action, secretHeaders);
    }

    private ActionRecord command(Action.Command c) {
        Instant startedAt = clock.instant();
        CommandRun run = CommandRunner.run(c.command(), baseDir, c.command().timeout(), secrets);
        String msg;
        boolean ok = false;
        if (!run.started()) {
            msg = run.error();
        } else if (run.timedOut()) {
            msg = "timed out after " + Durations.human(c.command().timeout()) + " and was killed "
                    + run.killedWith();
        } else if (run.exitCode() != c.expectExit()) {
            msg = "exit " + run.exitCode() + ", expected " + c.expectExit() + run.leftRunning();
        } else {
            msg = "exit " + run.exitCode() + run.leftRunning();
            ok = true;
        }
        return new ActionRecord("command", c.command().run(), null, null, run.exitCode(), null, run.timedOut(),
                ok, Excerpts.tail(run.output()), secrets.redact(msg), startedAt, clock.instant(), run.duration());
    }

    private ActionRecord http(Action.Http h, Map<String, Secret> secretHeaders) {
        Instant startedAt = clock.instant();
        String url = h.request().resolve(target);
        // The probe masks the run's secrets in the body and in its errors.
        HttpExchange ex = probe.call(h.request(), url, secretHeaders, h.request().timeout());
        boolean ok = ex.answered() && ex.status() == h.expectStatus();
        String msg = ex.answered() ? "HTTP " + ex.status() + (ok ? "" : ", expected " + h.expectStatus())
                : ex.timedOut() ? "timed out: " + ex.error() : ex.error();
        return new ActionRecord("http", null, h.request().method(), secrets.redact(url), null, ex.status(),
                ex.timedOut(), ok, Excerpts.head(ex.body()), msg, startedAt, clock.instant(), ex.latency());
    }
}
