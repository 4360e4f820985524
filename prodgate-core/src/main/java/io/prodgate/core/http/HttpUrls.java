package io.prodgate.core.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * The rule for every URL prodgate is configured to call, in a gate file, on the command line or in Jenkins' settings:
 * http or https, a host, and no credentials. A {@code user:password@} part would be sent as basic auth and printed
 * with the URL; credentials belong in references to environment variables, files or a credentials store. No message
 * echoes them.
 */
public final class HttpUrls {
    /** What is wrong with a URL. */
    public enum Problem { NOT_A_URL, NOT_HTTP, CREDENTIALS }

    private HttpUrls() {
    }

    /** What is wrong with {@code url}, or empty; for callers with messages of their own. */
    public static Optional<Problem> check(String url) {
        try {
            return check(new URI(url));
        } catch (URISyntaxException e) {
            return Optional.of(Problem.NOT_A_URL);
        }
    }

    /**
     * Why {@code url} cannot be used, as a phrase to follow the field's name, or empty.
     *
     * @param credentialsInstead where credentials go instead, for the message
     */
    public static Optional<String> problem(String url, String credentialsInstead) {
        try {
            return check(new URI(url)).map(p -> p == Problem.NOT_HTTP
                    ? "must be an http:// or https:// URL, got '" + withoutUserinfo(url) + "'"
                    : "must not carry credentials; " + credentialsInstead);
        } catch (URISyntaxException e) {
            return Optional.of("is not a URL: " + e.getReason());
        }
    }

    /** {@code url} without anything up to an {@code @} in its authority, even when it has no scheme. */
    public static String withoutUserinfo(String url) {
        return url.replaceFirst("^([^/@]*//)?[^/@]*@", "$1");
    }

    private static Optional<Problem> check(URI u) {
        String scheme = u.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
            return Optional.of(Problem.NOT_HTTP);
        }
        return u.getRawUserInfo() != null ? Optional.of(Problem.CREDENTIALS) : Optional.empty();
    }
}
