package io.prodgate.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the processes a test's commands started are gone. */
public final class Processes {
    private Processes() {
    }

    /** Every pid listed in {@code pidFile}, one a line, is gone. */
    public static void assertNothingLeft(Path pidFile) throws Exception {
        for (String line : Files.readAllLines(pidFile)) {
            if (line.isBlank()) {
                continue;
            }
            long pid = Long.parseLong(line.strip());
            assertThat(running(pid)).as("process %d must be gone", pid).isFalse();
        }
    }

    /**
     * Whether {@code pid} still runs. A killed process whose parent died first waits as a zombie until init reaps
     * it, which some inits do only now and then; {@link ProcessHandle#isAlive} counts zombies as alive.
     */
    public static boolean running(long pid) {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
