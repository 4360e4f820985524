package io.prodgate.core.run;

/**
 * Sets the canary's share of traffic at the start of each step of a progressive canary, and back to 0 when the bake
 * is stopped or rolled back: the gate file's traffic action, or nothing where something else shifts the traffic (the
 * gate then only verifies the shift).
 */
@FunctionalInterface
public interface TrafficControl {
    TrafficControl NONE = weight -> "";

    /**
     * Asks for {@code weight} (a fraction) of the traffic on the canary.
     *
     * @return what was done, for the log ("POST http://lb/admin/weights: 200")
     * @throws Exception with a message fit for the user when the action failed
     */
    String setWeight(double weight) throws Exception;

    /**
     * A weight as a traffic action receives it ({@code ${weight}}, or a CI step's {@code PRODGATE_WEIGHT}): percent,
     * as a person writes it ("1", "10", "0.5", "0").
     */
    static String percent(double weight) {
        return java.math.BigDecimal.valueOf(io.prodgate.core.util.Numbers.percentAsWritten(weight))
                .stripTrailingZeros().toPlainString();
    }
}
