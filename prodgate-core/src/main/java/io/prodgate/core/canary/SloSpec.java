package io.prodgate.core.canary;

/**
 * One service-level objective the canary must hold. Query templates receive {@code ${selector}} (the side's label
 * selector) and {@code ${window}} (a PromQL range such as {@code 60s}).
 */
public sealed interface SloSpec permits RatioSlo, ValueCheck {
    String name();

    /** Fills a query template for one side and one evaluation window. */
    static String render(String template, String selector, String window) {
        return template.replace("${selector}", selector).replace("${window}", window);
    }
}
