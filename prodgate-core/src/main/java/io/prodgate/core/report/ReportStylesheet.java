package io.prodgate.core.report;

/**
 * The one stylesheet every HTML report links to, which must be written beside the report: the reports carry no
 * inline style, so that they render under a strict Content-Security-Policy.
 */
public final class ReportStylesheet {
    /** The file name the reports link to, relative to themselves. */
    public static final String FILE_NAME = Html.STYLESHEET;

    private ReportStylesheet() {
    }

    public static String content() {
        return Html.STYLE;
    }
}
