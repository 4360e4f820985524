package io.prodgate.cli;

/** A file the user asked for (a report, a proof) could not be written: printed as it is, exit 74, no stack trace. */
public final class OutputException extends Exception {
    public OutputException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
