package io.prodgate.core.smoke;

import java.time.Duration;

/** One smoke check of the gate file: a health wait, an HTTP request, or a command. */
public sealed interface SmokeCheck permits HealthCheck, HttpCheck, CommandCheck {
    String name();

    /** {@code health}, {@code http} or {@code command}, as in the gate file. */
    String kind();

    /** The longest this check may take (its deadline or timeout); the budget sums these. */
    Duration limit();
}
