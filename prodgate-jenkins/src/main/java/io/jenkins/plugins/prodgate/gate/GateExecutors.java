package io.jenkins.plugins.prodgate.gate;

import hudson.util.DaemonThreadFactory;
import hudson.util.NamingThreadFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The plugin's own small pool for canary evaluations. Jenkins' shared {@code Timer} only wakes a bake up; the
 * Prometheus queries (seconds each, with retries) run here, so a slow Prometheus cannot starve Jenkins' timers.
 */
public final class GateExecutors {
    private static final int THREADS = 4;

    private static final class Holder {
        static final ExecutorService CANARY;

        static {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(
                    THREADS,
                    THREADS,
                    60,
                    TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(),
                    new NamingThreadFactory(new DaemonThreadFactory(), "prodgate canary evaluation"));
            pool.allowCoreThreadTimeOut(true);
            CANARY = pool;
        }
    }

    private GateExecutors() {}

    public static ExecutorService canary() {
        return Holder.CANARY;
    }
}
