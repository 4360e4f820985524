package io.prodgate.testkit;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The system clock, except that the pacer stops once when its generator has sent each of the given numbers of
 * requests, until the test lets it go on. So a test can change the weights at an exact request count, from its own
 * thread, and assert exact counts per target before and after, however slowly a loaded machine runs the pacer.
 *
 * <p>It works because the pacer reads the clock at least once per slot, before it picks a target, and is the only
 * thread that counts requests as sent.
 */
final class PausingTicker implements LoadGenerator.Ticker {
    private final long[] pauseAt;
    private final BlockingQueue<Long> reached = new LinkedBlockingQueue<>();
    private final Semaphore resume = new Semaphore(0);
    private volatile LongSupplier sent;
    /** The pacer's only. */
    private int next;

    PausingTicker(long... pauseAt) {
        this.pauseAt = pauseAt.clone();
    }

    /** Watches {@code load}; call before starting it. */
    void watch(LoadGenerator load) {
        this.sent = load::sent;
    }

    /**
     * Waits until the pacer has stopped at the next pause.
     *
     * @return the number of requests sent when it stopped, or -1 if it did not stop within 60 s
     */
    long awaitPause() throws InterruptedException {
        Long n = reached.poll(60, TimeUnit.SECONDS);
        return n == null ? -1 : n;
    }

    /** Lets the stopped pacer go on. */
    void resume() {
        resume.release();
    }

    @Override
    public long nanoTime() {
        LongSupplier s = sent;
        if (s != null && next < pauseAt.length && s.getAsLong() >= pauseAt[next]) {
            next++;
            reached.add(s.getAsLong());
            try {
                // Bounded, so that a failed test cannot leave the pacer stopped for good.
                resume.tryAcquire(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return System.nanoTime();
    }

    @Override
    public void parkNanos(long nanos) {
        LoadGenerator.Ticker.SYSTEM.parkNanos(nanos);
    }
}
