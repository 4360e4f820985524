package io.prodgate.core.gatefile;

import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.config.HeaderRules;
import io.prodgate.core.config.PrometheusSettings;
import io.prodgate.core.config.SecretRef;
import io.prodgate.core.http.HttpUrls;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code prometheus} section: URL, credentials by reference, TLS, timeouts. */
final class PrometheusSection {
    private PrometheusSection() {
    }

    static PrometheusSettings read(ConfigNode n) {
        n.allowOnly("url", "bearerTokenEnv", "bearerTokenFile", "basicAuth", "tlsVerify", "timeout", "retries",
                "headers", "bearerToken", "password");
        for (String literal : new String[] {"bearerToken", "password"}) {
            if (n.has(literal)) {
                n.problem(literal, "secrets are never written in a gate file; use " + literal
                        + "Env (an environment variable) or " + literal + "File (a file) instead");
            }
        }
        String url = n.requireString("url");
        if (!url.isEmpty()) {
            checkUrl(n, url);
        }
        Optional<SecretRef> token = secret(n, "bearerToken");
        Optional<String> username = Optional.empty();
        Optional<SecretRef> password = Optional.empty();
        Optional<ConfigNode> basic = n.object("basicAuth");
        if (basic.isPresent()) {
            ConfigNode b = basic.get();
            b.allowOnly("username", "passwordEnv", "passwordFile", "password");
            if (b.has("password")) {
                b.problem("password", "secrets are never written in a gate file; use passwordEnv or passwordFile");
            }
            username = Optional.of(b.requireString("username"));
            // RFC 7617: the user-id ends at the first colon; the server would read another user.
            if (username.get().indexOf(':') >= 0) {
                b.problem("username", "must not contain ':' (basic auth splits user and password at the first ':')");
            } else {
                HeaderRules.secretProblem(username.get()).ifPresent(p -> b.problem("username", p));
            }
            password = secret(b, "password");
            if (password.isEmpty() && !b.has("password")) {
                b.problem("needs passwordEnv or passwordFile");
            }
            if (token.isPresent()) {
                n.problem("basicAuth", "use either a bearer token or basic auth, not both");
            }
        }
        boolean tls = n.bool("tlsVerify", true);
        Duration timeout = n.duration("timeout", PrometheusSettings.DEFAULT_TIMEOUT, Duration.ofMillis(100),
                Duration.ofMinutes(5));
        int retries = n.integerIn("retries", 0, 10, PrometheusSettings.DEFAULT_RETRIES);
        Map<String, String> headers = n.stringMap("headers");
        HeaderFields.checkPlain(n, "headers", headers, h -> "use bearerTokenEnv, bearerTokenFile or basicAuth");
        return new PrometheusSettings(url, token, username, password, tls, timeout, retries, headers);
    }

    static void checkUrl(ConfigNode n, String url) {
        HttpUrls.problem(url, "use basicAuth with passwordEnv or passwordFile").ifPresent(p -> n.problem("url", p));
    }

    private static Optional<SecretRef> secret(ConfigNode n, String field) {
        Optional<String> env = n.string(field + "Env");
        Optional<String> file = n.string(field + "File");
        if (env.isPresent() && file.isPresent()) {
            n.problem(field + "Env", "give " + field + "Env or " + field + "File, not both");
        }
        if (env.isPresent()) {
            return Optional.of(new SecretRef(SecretRef.Kind.ENV, env.get(), pathOf(n, field + "Env")));
        }
        return file.map(f -> new SecretRef(SecretRef.Kind.FILE, f, pathOf(n, field + "File")));
    }

    private static String pathOf(ConfigNode n, String field) {
        return n.path().isEmpty() ? field : n.path() + "." + field;
    }
}
