package io.jenkins.plugins.prodgate.gate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pool's life is one Jenkins instance's: after its shutdown nothing of it runs, and the next gets a new one. */
class GateExecutorsTest {
    @AfterEach
    void shutDown() throws Exception {
        GateExecutors.shutDown();
    }

    @Test
    void aShutDownCancelsPendingWakeUpsAndTheOldSessionSchedulesNothingMore() throws Exception {
        GateExecutors.Session old = GateExecutors.current();
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> pending = old.schedule(() -> fired.set(true), TimeUnit.MINUTES.toMillis(1));
        assertThat(pending, notNullValue());

        GateExecutors.shutDown();
        assertThat(old.isClosed(), is(true));
        assertThat(pending.isCancelled(), is(true));
        // a bake left over from the old instance cannot schedule, nor create a pool of its own
        assertThat(old.schedule(() -> fired.set(true), 0), nullValue());
        assertThat(old.execute(() -> fired.set(true)), is(false));

        GateExecutors.Session next = GateExecutors.current();
        assertThat(next, not(sameInstance(old)));
        assertThat(next.isClosed(), is(false));
        CountDownLatch ran = new CountDownLatch(1);
        assertThat(next.execute(ran::countDown), is(true));
        assertThat(ran.await(10, TimeUnit.SECONDS), is(true));
        assertThat(fired.get(), is(false));
    }

    @Test
    void aShutDownInterruptsARunningEvaluationAndWaitsForIt() throws Exception {
        GateExecutors.Session session = GateExecutors.current();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean ended = new AtomicBoolean();
        assertThat(
                session.execute(() -> {
                    started.countDown();
                    try {
                        Thread.sleep(TimeUnit.MINUTES.toMillis(1)); // as a slow Prometheus query
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                    ended.set(true);
                }),
                is(true));
        assertThat(started.await(10, TimeUnit.SECONDS), is(true));

        GateExecutors.shutDown();
        assertThat(interrupted.get(), is(true));
        assertThat(ended.get(), is(true)); // drained before the shutdown went on
    }
}
