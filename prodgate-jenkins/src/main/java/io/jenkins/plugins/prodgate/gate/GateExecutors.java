package io.jenkins.plugins.prodgate.gate;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.init.Terminator;
import hudson.util.DaemonThreadFactory;
import hudson.util.NamingThreadFactory;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jenkinsci.plugins.workflow.flow.FlowExecutionList;

/**
 * The plugin's own small pool for canary wake-ups and evaluations (the Prometheus queries take seconds, with retries,
 * so they do not run on Jenkins' shared {@code Timer}), tied to the life of one Jenkins instance.
 *
 * <p>A bake takes the current {@link Session} when it starts or resumes and schedules only into that one. At shutdown
 * {@link #shutDown()} closes it: pending wake-ups are cancelled, running evaluations are interrupted and waited for,
 * and nothing more is scheduled or completed through it. An execution left over from a Jenkins instance that shut down
 * (as in a restart inside one JVM) therefore cannot fire into the resumed run: that run's execution is a new object,
 * loaded from the saved state, with the next instance's session.
 */
public final class GateExecutors {
    private static final Logger LOGGER = Logger.getLogger(GateExecutors.class.getName());
    private static final int THREADS = 4;
    /** How long the shutdown waits for running evaluations; the suspension of the builds waits as long. */
    private static final long DRAIN_SECONDS = 10;

    /** The session of the running Jenkins instance; null before the first bake and after a shutdown. */
    @CheckForNull
    private static Session current;

    private GateExecutors() {}

    /** The pool of one Jenkins instance, from the first bake to the shutdown. */
    public static final class Session {
        private final ScheduledThreadPoolExecutor pool;
        private volatile boolean closed;

        Session() {
            pool = new ScheduledThreadPoolExecutor(
                    THREADS, new NamingThreadFactory(new DaemonThreadFactory(), "prodgate canary evaluation"));
            pool.setKeepAliveTime(60, TimeUnit.SECONDS);
            pool.allowCoreThreadTimeOut(true);
            pool.setRemoveOnCancelPolicy(true);
            pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }

        /** True once Jenkins shuts down: nothing runs, is scheduled or completes through this session any more. */
        public boolean isClosed() {
            return closed;
        }

        /** Runs {@code task} after {@code millis}; null when the session is closed. */
        @CheckForNull
        public ScheduledFuture<?> schedule(Runnable task, long millis) {
            if (closed) {
                return null;
            }
            try {
                return pool.schedule(task, Math.max(0, millis), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                return null; // closed meanwhile
            }
        }

        /** Runs {@code task} now, in the pool; false when the session is closed. */
        public boolean execute(Runnable task) {
            return schedule(task, 0) != null;
        }

        void close() throws InterruptedException {
            closed = true;
            // interrupts the evaluations (their HTTP calls end) and cancels the pending wake-ups
            for (Runnable pending : pool.shutdownNow()) {
                if (pending instanceof Future<?> wakeUp) {
                    wakeUp.cancel(false);
                }
            }
            if (!pool.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOGGER.log(
                        Level.WARNING,
                        "prodgate: canary evaluations still running {0} s after shutdown began; their results are"
                                + " dropped, and the bakes resume from their saved state",
                        DRAIN_SECONDS);
            }
        }
    }

    /** The session of this Jenkins instance, for a bake that starts or resumes now. */
    public static synchronized Session current() {
        Session s = current;
        if (s == null) {
            s = new Session();
            current = s;
        }
        return s;
    }

    /**
     * Cancels every pending wake-up and drains the running evaluations when Jenkins shuts down, before the list of
     * running builds is saved (the builds' own suspension runs meanwhile). The next Jenkins instance in this JVM starts
     * a new session.
     */
    @Terminator(attains = FlowExecutionList.EXECUTIONS_SUSPENDED)
    public static void shutDown() throws InterruptedException {
        Session s;
        synchronized (GateExecutors.class) {
            s = current;
            current = null;
        }
        if (s != null) {
            s.close();
        }
    }
}
