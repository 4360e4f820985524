package io.prodgate.core.exec;

import io.prodgate.core.config.SecretSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command with a hard timeout. At the timeout (or when the running thread is interrupted, which is how the
 * time box cuts a check off) every process it started is killed, and when it exits, whatever it left running in the
 * background is stopped too, so that a command leaves nothing behind on the build agent.
 *
 * <p>On Linux the command leads a session of its own ({@link Sessions}), which holds every process it starts, also a
 * double-forked one whose parent is gone. Elsewhere only its process tree can be followed; the run says so.
 */
public final class CommandRunner {
    /** Output kept: the first and the last half of this many bytes. */
    public static final int OUTPUT_LIMIT = 64 * 1024;
    private static final Duration GRACE = Duration.ofMillis(500);

    private CommandRunner() {
    }

    /** Runs {@code spec} in {@code baseDir} (or its {@code workingDir} below it), for at most {@code timeout}. */
    public static CommandRun run(CommandSpec spec, Path baseDir, Duration timeout, SecretSet secrets) {
        long start = System.nanoTime();
        Path dir = spec.workingDir().map(baseDir::resolve).orElse(baseDir);
        ProcessBuilder pb = new ProcessBuilder(spec.run()).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().putAll(spec.env());
        String program = spec.run().get(0);
        if (Sessions.AVAILABLE) {
            Optional<String> found = Sessions.program(program, dir, pb.environment());
            if (found.isEmpty()) {
                return CommandRun.notStarted(secrets.redact("cannot start " + program + " in " + dir
                        + ": no such executable" + (program.contains("/") ? "" : " on the PATH")), since(start));
            }
            List<String> argv = new ArrayList<>(spec.run());
            argv.set(0, found.get());
            pb.command(Sessions.leader(argv));
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            return CommandRun.notStarted(
                    secrets.redact("cannot start " + program + " in " + dir + ": " + e.getMessage()), since(start));
        }
        try {
            process.getOutputStream().close(); // no input: a command waiting on stdin would hang until the timeout
        } catch (IOException e) {
            // nothing to close
        }
        HeadTail sink = new HeadTail(OUTPUT_LIMIT / 2);
        Thread reader = new Thread(() -> pump(process.getInputStream(), sink), "prodgate-output-" + process.pid());
        reader.setDaemon(true); // a background child may hold the pipe open long after the command itself ended
        reader.start();

        boolean finished;
        boolean interrupted = false;
        try {
            finished = process.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            finished = false;
            interrupted = true;
        }
        int stopped = 0;
        List<String> survivors = List.of();
        if (Sessions.AVAILABLE) {
            // Also after a normal exit: a background job would hold the output pipe and outlive the check.
            long session = process.pid();
            stopped = (int) Sessions.members(session).stream().filter(m -> m.pid() != session).count();
            survivors = Sessions.stop(session, GRACE).stream().map(Sessions.Member::toString).toList();
            if (!finished) {
                process.destroyForcibly(); // gone with its session; this only reaps it
            }
        } else if (!finished) {
            killTree(process);
        }
        join(reader, finished ? Duration.ofSeconds(1) : GRACE);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        String output = secrets.redact(sink.text());
        return new CommandRun(finished ? process.exitValue() : null, !finished, output, since(start), "", stopped,
                survivors, Sessions.AVAILABLE);
    }

    /**
     * Terminates the process and everything it started: TERM first, KILL for whatever is still alive after a grace.
     * Public for the test kit's Prometheus, which runs for longer than one command.
     */
    public static void killTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long graceEnd = System.nanoTime() + GRACE.toNanos();
        for (ProcessHandle h : tree) {
            long left = graceEnd - System.nanoTime();
            try {
                if (left > 0) {
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (Exception e) {
                // still alive, killed below
            }
        }
        // Children forked while we waited are caught by a second look.
        List<ProcessHandle> rest = new ArrayList<>(process.descendants().toList());
        rest.addAll(tree);
        rest.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : rest) {
            try {
                h.onExit().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported by the caller as a timeout either way
            }
        }
    }

    private static void pump(InputStream in, HeadTail sink) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                sink.write(buf, 0, n);
            }
        } catch (IOException e) {
            // the process is gone; what was read is kept
        }
    }

    private static void join(Thread t, Duration d) {
        try {
            t.join(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Keeps the first and the last {@code half} bytes of a stream: how it started and how it ended. */
    /** The head and the tail of a command's output, in memory (not a stream: there is nothing to close). */
    private static final class HeadTail {
        private final int half;
        private final byte[] head;
        private final byte[] tail;
        private int headLen;
        private long tailWritten;

        HeadTail(int half) {
            this.half = half;
            this.head = new byte[half];
            this.tail = new byte[half];
        }

        synchronized void write(int b) {
            if (headLen < half) {
                head[headLen++] = (byte) b;
            } else {
                tail[(int) (tailWritten++ % half)] = (byte) b;
            }
        }

        synchronized void write(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }

        synchronized String text() {
            StringBuilder out = new StringBuilder(new String(head, 0, headLen, StandardCharsets.UTF_8));
            if (tailWritten == 0) {
                return out.toString();
            }
            int kept = (int) Math.min(tailWritten, half);
            byte[] t = new byte[kept];
            long from = tailWritten - kept;
            for (int i = 0; i < kept; i++) {
                t[i] = tail[(int) ((from + i) % half)];
            }
            if (tailWritten > half) {
                out.append("\n...[").append(tailWritten - half).append(" bytes omitted]...\n");
            }
            return out.append(new String(t, StandardCharsets.UTF_8)).toString();
        }
    }
}
