package io.prodgate.core.secret;

import java.util.Arrays;
import java.util.Objects;

/**
 * A credential value (token, password) that never prints itself.
 *
 * <p>{@link #toString()} is masked so that a secret passed by mistake into a log line, an exception message or a
 * report shows as {@code ****}. Only {@link #reveal()} gives the value, and only code that puts it on the wire may
 * call it.
 */
public final class Secret {
    private final char[] value;
    private final String origin;

    private Secret(char[] value, String origin) {
        this.value = value;
        this.origin = origin;
    }

    /** A secret with a description of where it came from ({@code env PROM_TOKEN}), which is safe to print. */
    public static Secret of(String value, String origin) {
        Objects.requireNonNull(value, "value");
        return new Secret(value.toCharArray(), Objects.requireNonNull(origin, "origin"));
    }

    /** The plain value, for an HTTP header or a process environment; never for a message. */
    public String reveal() {
        return new String(value);
    }

    /** Where the value was read from, e.g. {@code env PROM_TOKEN} or {@code file /run/secrets/prom}. */
    public String origin() {
        return origin;
    }

    public boolean isEmpty() {
        return value.length == 0;
    }

    /** Replaces every occurrence of this secret in {@code text} with {@code ****}. */
    public String redact(String text) {
        if (text == null || value.length == 0) {
            return text;
        }
        return text.replace(reveal(), "****");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "****(" + origin + ")";
    }
}
