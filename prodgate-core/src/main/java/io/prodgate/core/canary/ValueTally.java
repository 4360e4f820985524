package io.prodgate.core.canary;

import java.util.OptionalDouble;

/**
 * The running evidence of one value check: how many readings, the latest value, and the breaching streak, which stops
 * growing once it has reached {@code consecutive}.
 */
final class ValueTally {
    private final ValueCheck check;
    private int readings;
    private int streak;
    private double last = Double.NaN;

    ValueTally(ValueCheck check) {
        this.check = check;
    }

    /** Adds the canary's reading of a usable evaluation; a missing one neither breaks nor extends a streak. */
    void add(Reading r) {
        if (breached() || r == null || !r.ok()) {
            return;
        }
        readings++;
        last = r.value();
        streak = check.breaches(last) ? streak + 1 : 0;
    }

    ValueCheck check() {
        return check;
    }

    boolean breached() {
        return streak >= check.consecutive();
    }

    int readings() {
        return readings;
    }

    int streak() {
        return streak;
    }

    double last() {
        return last;
    }

    /** Where the check stands; {@code over} once the bake has ended. */
    SloStatus status(boolean over) {
        SloStatus.State state = breached() ? SloStatus.State.BREACHED
                : over && readings == 0 ? SloStatus.State.NO_DATA
                : over ? SloStatus.State.HELD : SloStatus.State.HOLDING;
        return new SloStatus.Value(check.name(), state, readings == 0 ? OptionalDouble.empty() : OptionalDouble.of(last),
                check.bounds(), readings, streak);
    }
}
