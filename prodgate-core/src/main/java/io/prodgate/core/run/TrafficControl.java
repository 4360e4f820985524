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
}
