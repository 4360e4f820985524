package io.prodgate.core.prometheus;

/** The {@code data.resultType} of a query response. */
public enum ResultType {
    /** Instant vector: any number of series with one sample each. */
    VECTOR,
    /** Range vector: any number of series with many samples each. */
    MATRIX,
    /** A single number without labels. */
    SCALAR;

    String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
