package io.prodgate.core.secret;

import java.net.URLEncoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A credential value (token, password) that never prints itself.
 *
 * <p>{@link #toString()} is masked so that a secret passed by mistake into a log line, an exception message or a
 * report shows as {@code ****}. Only {@link #reveal()} gives the value, and only code that puts it on the wire may
 * call it.
 *
 * <p>{@link #redact} masks the value also in the forms a server or proxy may echo it in: Base64 (a Basic header, a
 * JWT part, a debug dump) and URL encoding (a query string, a redirect).
 */
public final class Secret {
    /** A part of a secret shorter than this is not masked on its own: it would mask ordinary words and numbers. */
    private static final int MIN_PART = 4;
    /** An HTTP credential: an auth-scheme token (RFC 9110), blanks, then the credential proper. */
    private static final Pattern SCHEME = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \\t]+(\\S.*)",
            Pattern.DOTALL);

    private final char[] value;
    private final String origin;
    /** What {@link #redact} replaces. */
    private final List<String> masked;

    private Secret(char[] value, String origin, Set<String> masked) {
        this.value = value;
        this.origin = origin;
        this.masked = List.copyOf(masked);
    }

    /** A secret with a description of where it came from ({@code env PROM_TOKEN}), which is safe to print. */
    public static Secret of(String value, String origin) {
        Objects.requireNonNull(value, "value");
        Set<String> masked = new LinkedHashSet<>();
        if (!value.isEmpty()) {
            masked.add(value);
            masked.addAll(encodings(value));
        }
        return new Secret(value.toCharArray(), Objects.requireNonNull(origin, "origin"), masked);
    }

    /**
     * This secret as an HTTP header value ({@code Bearer X}, {@code Basic base64(user:password)}, {@code token X}):
     * the same value, but the credential after the scheme is masked on its own too, and for Basic the password
     * inside it, because a server may echo only that part.
     */
    public Secret asHeaderValue() {
        String whole = reveal();
        Matcher m = SCHEME.matcher(whole);
        String credential = m.matches() ? m.group(2).strip() : "";
        if (credential.length() < MIN_PART) {
            return this;
        }
        // Masking the credential masks the plain header too, and leaves the scheme readable: "Bearer ****".
        Set<String> masked = new LinkedHashSet<>(encodings(whole));
        masked.add(credential);
        masked.addAll(encodings(credential));
        if (m.group(1).equalsIgnoreCase("Basic")) {
            String decoded = base64Text(credential);
            int colon = decoded.indexOf(':');
            if (colon >= 0) {
                masked.add(decoded);
                masked.addAll(encodings(decoded));
                String password = decoded.substring(colon + 1);
                if (password.length() >= MIN_PART) {
                    masked.add(password);
                    masked.addAll(encodings(password));
                }
            }
        }
        return new Secret(value.clone(), origin, masked);
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

    /** Replaces every occurrence of this secret, in every form it is known in, in {@code text} with {@code ****}. */
    public String redact(String text) {
        return redact(text, List.of(this));
    }

    /**
     * Replaces every form of every one of {@code secrets} in {@code text} with {@code ****}, longest first: one
     * secret's form may hold another's (Base64 of {@code user:password} holds that of the password when the user
     * name's length is a multiple of 3), and the longer one must go whole.
     */
    public static String redact(String text, Collection<Secret> secrets) {
        if (text == null) {
            return null;
        }
        List<String> forms = new ArrayList<>();
        secrets.forEach(secret -> forms.addAll(secret.masked));
        forms.sort(Comparator.comparingInt(String::length).reversed());
        String out = text;
        for (String form : forms) {
            out = out.replace(form, "****");
        }
        return out;
    }

    /** {@code text} in Base64 (padded or not, URL-safe) and URL-encoded; none for text too short to tell apart. */
    private static Set<String> encodings(String text) {
        Set<String> out = new LinkedHashSet<>();
        if (text.length() < MIN_PART) {
            return out;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.add(Base64.getEncoder().encodeToString(bytes));
        out.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
        out.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        String encoded = URLEncoder.encode(text, StandardCharsets.UTF_8);
        out.add(encoded);
        out.add(encoded.replace("+", "%20"));
        return out;
    }

    /** {@code text} decoded from Base64 as UTF-8, or empty when it is not that. */
    private static String base64Text(String text) {
        try {
            byte[] bytes = Base64.getDecoder().decode(text);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return "";
        }
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
