package io.prodgate.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run's message claims only what was done: a process that could not be killed, or could not be seen, is said. */
class CommandRunTest {
    static CommandRun run(boolean timedOut, int stopped, List<String> survivors, boolean wholeSession) {
        return new CommandRun(timedOut ? null : 0, timedOut, "", Duration.ofSeconds(1), "", stopped, survivors,
                wholeSession);
    }

    @Test
    void aKilledCommandClaimsEveryProcessOnlyWhenItsWholeSessionWasSeenAndIsGone() {
        assertThat(run(true, 2, List.of(), true).killedWith()).isEqualTo("with every process it started");
        assertThat(run(true, 2, List.of("4242 (stuck)", "4243 (stuck)"), true).killedWith())
                .isEqualTo("but 2 processes it started could not be killed: 4242 (stuck), 4243 (stuck)");
        assertThat(run(true, 0, List.of(), false).killedWith()).doesNotContain("every")
                .contains("still its descendants", "cannot be found");
    }

    @Test
    void anExitedCommandSaysWhatItLeftRunning() {
        assertThat(run(false, 0, List.of(), true).leftRunning()).isEmpty();
        assertThat(run(false, 3, List.of(), true).leftRunning()).isEqualTo("; it left 3 processes running, stopped now");
        assertThat(run(false, 1, List.of("4242 (stuck)"), true).leftRunning())
                .isEqualTo("; it left 1 process running that could not be killed: 4242 (stuck)");
    }
}
