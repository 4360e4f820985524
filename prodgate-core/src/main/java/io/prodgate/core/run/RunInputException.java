package io.prodgate.core.run;

/**
 * Something a caller handed a run that it cannot use, other than the gate file: a bake state file that is not one or
 * belongs elsewhere, a replay window too short to evaluate. The message is fit for the user as it is.
 */
public final class RunInputException extends Exception {
    private static final long serialVersionUID = 1L;

    public RunInputException(String message) {
        super(message, null, false, false);
    }
}
