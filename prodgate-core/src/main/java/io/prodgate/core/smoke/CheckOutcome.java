package io.prodgate.core.smoke;

/** How one check ended. Only PASSED counts as passed. */
public enum CheckOutcome {
    PASSED,
    /** The target or command answered, but not as expected. */
    FAILED,
    /** No answer within the check's timeout (or deadline), or cut off at the time box. */
    TIMED_OUT,
    /** Not run: the target never became healthy, or the section is over its budget. */
    NOT_RUN
}
