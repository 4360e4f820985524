package io.prodgate.core.config;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What an HTTP header may hold, checked once for every header prodgate sends (Prometheus, smoke and rollback
 * requests), so that a bad one is a gate-file error and never a failure when the request is built.
 *
 * <p>Problems never quote a value: it may be a credential.
 */
public final class HeaderRules {
    /** Headers that carry credentials: never written in a gate file, only referenced. */
    public static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
            "x-api-key");

    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private HeaderRules() {
    }

    public static boolean isSecret(String name) {
        return SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT));
    }

    /** Why {@code name} cannot be a header name (RFC 9110 token), or empty. */
    public static Optional<String> nameProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("a header name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TOKEN_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return Optional.of("'" + printable(name) + "' is not a valid header name (letters, digits and "
                        + TOKEN_SYMBOLS + " only)");
            }
        }
        return Optional.empty();
    }

    /** Why {@code value} cannot be sent as a header value, or empty; the value itself is never quoted. */
    public static Optional<String> valueProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                return Optional.of("contains a line break, which would end the header early");
            }
            if (c != '\t' && (c < 0x20 || c == 0x7f)) {
                return Optional.of("contains a control character (position " + (i + 1) + ")");
            }
            if (c > 0x7e) {
                return Optional.of("contains a non-ASCII character (position " + (i + 1) + "), which HTTP headers "
                        + "cannot carry");
            }
        }
        return Optional.empty();
    }

    /** Why a secret value is unusable anywhere (a line break or control character), or empty; never quoted. */
    public static Optional<String> secretProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                return Optional.of("contains a line break");
            }
            if (c != '\t' && (c < 0x20 || c == 0x7f)) {
                return Optional.of("contains a control character (position " + (i + 1) + ")");
            }
        }
        return Optional.empty();
    }

    /** {@code s} with control characters shown as {@code ?}, short enough for a message. */
    static String printable(String s) {
        String p = s.replaceAll("[\\p{Cntrl}]", "?");
        return p.length() <= 60 ? p : p.substring(0, 57) + "...";
    }
}
