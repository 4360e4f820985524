package io.prodgate.core.canary;

/** Event counts of one ratio SLO over some stretch of the bake, on both sides. */
public record RatioFigures(double canaryBad, double canaryTotal, double baselineBad, double baselineTotal) {
    public static final RatioFigures NONE = new RatioFigures(0, 0, 0, 0);

    public RatioFigures plus(double cb, double cn, double bb, double bn) {
        return new RatioFigures(canaryBad + cb, canaryTotal + cn, baselineBad + bb, baselineTotal + bn);
    }

    /** Bad over total on the canary, NaN without traffic. */
    public double canaryRatio() {
        return canaryTotal > 0 ? canaryBad / canaryTotal : Double.NaN;
    }

    /** Bad over total on the baseline, NaN without traffic. */
    public double baselineRatio() {
        return baselineTotal > 0 ? baselineBad / baselineTotal : Double.NaN;
    }
}
