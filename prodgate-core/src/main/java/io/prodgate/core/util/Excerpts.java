package io.prodgate.core.util;

/** Bounded text for evidence: a report holds a glimpse of a body or output, never all of it. */
public final class Excerpts {
    /** The longest excerpt kept in evidence. */
    public static final int LIMIT = 500;

    private Excerpts() {
    }

    /** The start of {@code text}: an HTTP body says what it is at the top. */
    public static String head(String text) {
        if (text == null) {
            return "";
        }
        String t = text.strip();
        return t.length() <= LIMIT ? t : t.substring(0, LIMIT) + "...";
    }

    /** The end of {@code text}: a command says what went wrong at the bottom. */
    public static String tail(String text) {
        if (text == null) {
            return "";
        }
        String t = text.strip();
        return t.length() <= LIMIT ? t : "..." + t.substring(t.length() - LIMIT);
    }

    /** One line, for messages: whitespace collapsed, cut at 120 characters. */
    public static String inline(String text) {
        if (text == null) {
            return "";
        }
        String t = text.strip().replaceAll("\\s+", " ");
        return t.length() <= 120 ? t : t.substring(0, 120) + "...";
    }
}
