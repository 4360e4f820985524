package io.prodgate.core.rollback;

import io.prodgate.core.exec.CommandSpec;
import io.prodgate.core.http.HttpRequestSpec;
import java.util.Objects;

/** What performs the rollback (or the roll-forward): a command, or an HTTP call to a deploy API. */
public sealed interface RollbackAction permits RollbackAction.Command, RollbackAction.Http {

    /** What ran, fit for a proof: the argument vector, or method and URL. Never a secret header value. */
    String describe();

    /** A command that must exit with {@code expectExit} within its timeout. */
    record Command(CommandSpec command, int expectExit) implements RollbackAction {
        public Command {
            Objects.requireNonNull(command, "command");
        }

        @Override
        public String describe() {
            return command.describe();
        }
    }

    /** An HTTP call that must answer {@code expectStatus} within the request's timeout. */
    record Http(HttpRequestSpec request, int expectStatus) implements RollbackAction {
        public Http {
            Objects.requireNonNull(request, "request");
        }

        @Override
        public String describe() {
            return request.method() + " " + request.url();
        }
    }
}
