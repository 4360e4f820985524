package io.prodgate.core.util;

import java.time.Duration;

/** Upper bounds on wall-clock time for tests of limits that stop real processes and requests. */
public final class TimeBounds {
    private static final Duration FLOOR = Duration.ofSeconds(10);

    private TimeBounds() {
    }

    /**
     * Ten times {@code limit}, at least 10s: room for a loaded 2-core CI machine, yet far below the 20s and more the
     * tests' hanging commands and servers would take if the limit did not work. What stopped the work is asserted on
     * the result's outcome and message, not on the clock.
     */
    public static Duration generous(Duration limit) {
        Duration tenfold = limit.multipliedBy(10);
        return tenfold.compareTo(FLOOR) > 0 ? tenfold : FLOOR;
    }
}
