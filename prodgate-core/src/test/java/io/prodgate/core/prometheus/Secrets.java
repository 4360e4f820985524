package io.prodgate.core.prometheus;

import io.prodgate.core.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Test credentials with values that are easy to search for in messages. */
final class Secrets {
    static final Secret TOKEN = Secret.of("tok-7f3a9c1e5b-SUPERSECRET", "test token");
    static final Secret PASSWORD = Secret.of("pw-9d8e7f-SUPERSECRET", "test password");

    private Secrets() {
    }

    static String basicHeader(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
