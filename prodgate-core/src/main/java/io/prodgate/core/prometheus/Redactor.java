package io.prodgate.core.prometheus;

import io.prodgate.core.secret.Secret;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Makes any text safe to put into an outcome: removes the credentials the client knows and the userinfo part of
 * URLs. Applied to everything that comes from the server or from exceptions, because a server or proxy may echo the
 * request (headers included) back in its error body.
 */
final class Redactor {
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#@\\s]*@");

    private final List<Secret> secrets;

    Redactor(List<Secret> secrets) {
        this.secrets = List.copyOf(secrets);
    }

    String redact(String text) {
        if (text == null) {
            return "";
        }
        return stripUserinfo(Secret.redact(text, secrets));
    }

    static String stripUserinfo(String text) {
        return URL_USERINFO.matcher(text).replaceAll("$1");
    }
}
