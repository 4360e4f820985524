package io.prodgate.cli;

/** The command line's exit codes: verdicts first, then sysexits(3) codes for everything that is not a verdict. */
public final class ExitCodes {
    public static final int PASS = 0;
    public static final int FAIL = 1;
    public static final int INCONCLUSIVE = 2;
    /** EX_USAGE: bad arguments or a bad gate file. */
    public static final int USAGE = 64;
    /** EX_SOFTWARE: a bug; the message says where to report it. */
    public static final int SOFTWARE = 70;
    /** EX_IOERR: a report or state file could not be written. */
    public static final int IO = 74;

    private ExitCodes() {
    }
}
