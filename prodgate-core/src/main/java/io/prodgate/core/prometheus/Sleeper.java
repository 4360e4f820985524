package io.prodgate.core.prometheus;

import java.time.Duration;

/** Waits between retries; injectable so that tests do not really wait for backoff. */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps on the calling thread. */
    Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
