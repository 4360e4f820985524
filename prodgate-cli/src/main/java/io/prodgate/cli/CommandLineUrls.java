package io.prodgate.cli;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The rule for URLs given on the command line, the gate file's: http or https, a host, and no credentials. A
 * {@code user:password@} part would be sent as basic auth and printed with the URL; credentials belong in the gate
 * file's references to environment variables or files. No message echoes the credentials.
 */
public final class CommandLineUrls {
    private CommandLineUrls() {
    }

    /**
     * Why {@code url} cannot be used, or null.
     *
     * @param instead where credentials go instead, for the message
     */
    public static String problem(String url, String instead) {
        try {
            URI u = new URI(url);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                return "must be an http:// or https:// URL, got '" + withoutUserinfo(url) + "'";
            }
            if (u.getRawUserInfo() != null) {
                return "must not carry credentials (user:password@); " + instead;
            }
            return null;
        } catch (URISyntaxException e) {
            return "is not a URL: " + e.getReason();
        }
    }

    /** {@code url} without anything up to an {@code @} in its authority, even when it has no scheme. */
    private static String withoutUserinfo(String url) {
        return url.replaceFirst("^([^/@]*//)?[^/@]*@", "$1");
    }
}
