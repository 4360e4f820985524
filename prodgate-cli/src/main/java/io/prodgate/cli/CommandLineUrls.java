package io.prodgate.cli;

import io.prodgate.core.http.HttpUrls;

/**
 * The rule for URLs given on the command line, the gate file's ({@link HttpUrls}): http or https, a host, and no
 * credentials. Null when the URL is fine, as the options' checks want it.
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
        return HttpUrls.problem(url, instead).orElse(null);
    }
}
