package io.prodgate.core.action;

import io.prodgate.core.exec.CommandSpec;
import io.prodgate.core.http.HttpRequestSpec;
import java.util.Objects;

/**
 * Something a gate does to the system it guards, such as the rollback, the roll-forward or a canary's traffic shift: a
 * command, or an HTTP call to a deploy API. {@link ActionRunner} runs it and records what happened.
 */
public sealed interface Action permits Action.Command, Action.Http {

    /** What ran, fit for a proof: the argument vector, or method and URL. Never a secret header value. */
    String describe();

    /** A command that must exit with {@code expectExit} within its timeout. */
    record Command(CommandSpec command, int expectExit) implements Action {
        public Command {
            Objects.requireNonNull(command, "command");
        }

        @Override
        public String describe() {
            return command.describe();
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
    }
}
