package io.prodgate.core.secret;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Makes any text safe to put into evidence, reasons and reports: removes the credentials known to the caller and the
 * userinfo part of URLs. Applied to everything that comes from a server, a command or an exception, because a server
 * or proxy may echo the request (headers included) back in its answer.
 */
public final class Redactor {
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#@\\s]*@");

    private final List<Secret> secrets;

    public Redactor(Collection<Secret> secrets) {
        this.secrets = List.copyOf(secrets);
    }

    public String redact(String text) {
        return redact(text, secrets);
    }

    /** {@code text} with every form of every one of {@code secrets} masked and URL credentials removed; null is "". */
    public static String redact(String text, Collection<Secret> secrets) {
        if (text == null) {
            return "";
        }
        return stripUserinfo(Secret.redact(text, secrets));
    }

    /** {@code text} without the {@code user:password@} part of any URL in it. */
    public static String stripUserinfo(String text) {
        return URL_USERINFO.matcher(text).replaceAll("$1");
    }
}
