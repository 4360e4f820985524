package io.prodgate.core.action;

import io.prodgate.core.exec.CommandSpec;
import io.prodgate.core.http.HttpRequestSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Something a gate does to the system it guards, such as the rollback, the roll-forward or a canary's traffic shift: a
 * command, or an HTTP call to a deploy API. {@link ActionRunner} runs it and records what happened.
 */
public sealed interface Action permits Action.Command, Action.Http {

    /** What ran, fit for a proof: the argument vector, or method and URL. Never a secret header value. */
    String describe();

    /**
     * This action with each {@code ${name}} that {@code values} has replaced by its value: in a command's arguments,
     * or in an HTTP call's URL and body. Nothing else changes: not the command's environment or working folder, not
     * header names or values, never a secret. Placeholders without a value stay as written; the gate-file reader
     * refuses those in an action that receives variables.
     *
     * <p>Values are inserted literally, without quoting or encoding. A command is an argument vector run without a
     * shell, so a value becomes part of one argument and is never split or interpreted; only a command that runs a
     * shell itself ({@code sh -c "..."}) has the shell read it, like any other text of its script.
     */
    Action withVariables(Map<String, String> values);

    /** A command that must exit with {@code expectExit} within its timeout. */
    record Command(CommandSpec command, int expectExit) implements Action {
        public Command {
            Objects.requireNonNull(command, "command");
        }

        @Override
        public String describe() {
            return command.describe();
        }

        @Override
        public Command withVariables(Map<String, String> values) {
            List<String> run = command.run().stream().map(a -> Placeholders.substitute(a, values)).toList();
            return new Command(new CommandSpec(run, command.timeout(), command.env(), command.workingDir()),
                    expectExit);
        }
    }

    /** An HTTP call that must answer {@code expectStatus} within the request's timeout. */
    record Http(HttpRequestSpec request, int expectStatus) implements Action {
        public Http {
            Objects.requireNonNull(request, "request");
        }

        @Override
        public String describe() {
            return request.method() + " " + request.url();
        }

        @Override
        public Http withVariables(Map<String, String> values) {
            HttpRequestSpec r = request;
            return new Http(new HttpRequestSpec(r.method(), Placeholders.substitute(r.url(), values), r.headers(),
                    r.secretHeaders(), r.body().map(b -> Placeholders.substitute(b, values)), r.timeout()),
                    expectStatus);
        }
    }
}
