package io.prodgate.core.smoke;

import io.prodgate.core.util.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command with a hard timeout. At the timeout (or when the running thread is interrupted, which is how the
 * time box cuts a check off) the whole process tree is killed, so a hanging command leaves nothing behind on the
 * build agent.
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
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            return new CommandRun(null, false, "", since(start),
                    secrets.redact("cannot start " + spec.run().get(0) + " in " + dir + ": " + e.getMessage()));
        }
        closeQuietly(process.getOutputStream()); // no input: a command waiting on stdin would hang until the timeout
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
        if (!finished) {
            killTree(process);
        }
        join(reader, finished ? Duration.ofSeconds(1) : GRACE);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        String output = secrets.redact(sink.text());
        if (!finished) {
            return new CommandRun(null, true, output, since(start), "");
        }
        return new CommandRun(process.exitValue(), false, output, since(start), "");
    }

    /** Terminates the process and everything it started: TERM first, KILL for whatever is still alive after a grace. */
    static void killTree(Process process) {
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

    private static void pump(InputStream in, OutputStream sink) {
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

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // nothing to close
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    static String describeTimeout(Duration d) {
        return "killed after " + Durations.human(d) + " (with every process it started)";
    }

    /** Keeps the first and the last {@code half} bytes of a stream: how it started and how it ended. */
    private static final class HeadTail extends OutputStream {
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

        @Override
        public synchronized void write(int b) {
            if (headLen < half) {
                head[headLen++] = (byte) b;
            } else {
                tail[(int) (tailWritten++ % half)] = (byte) b;
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
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
