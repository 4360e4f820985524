package io.prodgate.cli;

/** A problem with what the user asked for: printed as it is, exit 64, no stack trace. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message, null, false, false);
    }
}
