package io.prodgate.core.rollback;

/**
 * One SLO query judged after the rollback.
 *
 * @param value null when the query gave no usable value; {@code message} says why
 */
public record SloCheck(String name, String query, Double value, Double min, Double max, boolean held,
                          String message) {
}
