package io.prodgate.core.exec;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Every process a command started, found by its session: the command runs as the leader of a new session
 * ({@code setsid}), and whatever it forks stays in that session, double-forked daemons and background jobs included,
 * unless a process calls {@code setsid} itself. A process tree loses a process as soon as its parent exits; a session
 * does not. Linux only ({@code setsid(1)}, {@code /proc}); elsewhere {@link #AVAILABLE} is false.
 */
final class Sessions {
    private static final Optional<String> SETSID = onPath("setsid", System.getenv("PATH"));
    private static final Optional<String> KILL = onPath("kill", System.getenv("PATH"));
    static final boolean AVAILABLE = SETSID.isPresent() && KILL.isPresent() && Files.isReadable(Path.of("/proc/self/stat"));
    private static final Duration POLL = Duration.ofMillis(50);

    /** A live process of a session. */
    record Member(long pid, long group, String name) {
        @Override
        public String toString() {
            return pid + " (" + name + ")";
        }
    }

    private Sessions() {
    }

    /** {@code argv} run as the leader of a new session; its pid is the session's id. */
    static List<String> leader(List<String> argv) {
        List<String> out = new ArrayList<>(List.of(SETSID.orElseThrow(), "--wait"));
        out.addAll(argv);
        return out;
    }

    /**
     * The program {@code setsid} will run, or empty when there is none: then the command cannot start, as Java
     * itself would have said without {@code setsid} in between.
     */
    static Optional<String> program(String name, Path dir, Map<String, String> env) {
        if (name.contains("/")) {
            Path p = dir.resolve(name);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p.toString()) : Optional.empty();
        }
        return onPath(name, env.get("PATH"));
    }

    /** The live processes of session {@code session}; zombies are dead already and only wait to be reaped. */
    static List<Member> members(long session) {
        List<Member> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                String stat;
                try {
                    stat = Files.readString(proc.resolve("stat"));
                } catch (IOException e) {
                    continue; // exited while we looked
                }
                // "pid (name) state ppid pgrp session ...": the name may hold spaces and parentheses.
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String[] f = stat.substring(close + 2).split(" ");
                if (f.length > 3 && Long.parseLong(f[3]) == session && !f[0].equals("Z") && !f[0].equals("X")) {
                    out.add(new Member(Long.parseLong(String.valueOf(proc.getFileName())), Long.parseLong(f[2]),
                            stat.substring(open + 1, close)));
                }
            }
        } catch (IOException e) {
            // /proc unreadable: nothing can be found, and nothing is claimed
        }
        return out;
    }

    /**
     * Stops every process of {@code session}: TERM to each of its process groups, {@code grace} to exit, then KILL.
     *
     * @return the processes still alive after that (stuck in the kernel, or out of reach); normally none
     */
    static List<Member> stop(long session, Duration grace) {
        signal(session, "TERM");
        if (!waitUntilGone(session, grace)) {
            signal(session, "KILL");
            waitUntilGone(session, Duration.ofSeconds(2));
        }
        return members(session);
    }

    /** Signals whole process groups, so that a process forked meanwhile in one of them is hit too. */
    private static void signal(long session, String signal) {
        List<Long> groups = members(session).stream().map(Member::group).distinct().toList();
        boolean interrupted = false;
        for (long group : groups) {
            try {
                Process kill = new ProcessBuilder(KILL.orElseThrow(), "-s", signal, "--", "-" + group)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!interrupted) {
                    kill.waitFor(2, TimeUnit.SECONDS);
                }
            } catch (IOException e) {
                // kill could not run; what survives is reported
            } catch (InterruptedException e) {
                interrupted = true; // the signals still go out; only the wait for kill(1) is skipped
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean waitUntilGone(long session, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (!members(session).isEmpty()) {
            if (System.nanoTime() >= end) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                // Being cut off is why we are stopping processes: finish the job, keep the interrupt.
                Thread.currentThread().interrupt();
                return members(session).isEmpty();
            }
        }
        return true;
    }

    private static Optional<String> onPath(String name, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }
}
