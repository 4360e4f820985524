package io.prodgate.core.prometheus;

import io.prodgate.core.secret.Secret;
import java.util.Objects;

/**
 * How the client authenticates to Prometheus (or Thanos, Mimir, Cortex, VictoriaMetrics).
 *
 * <p>Credentials stay {@link Secret}s so that a record's {@code toString()} prints {@code ****}; only the client
 * reveals them, and only into the {@code Authorization} header.
 */
public sealed interface PrometheusAuth permits PrometheusAuth.None, PrometheusAuth.Bearer, PrometheusAuth.Basic {

    static PrometheusAuth none() {
        return None.INSTANCE;
    }

    static PrometheusAuth bearer(Secret token) {
        return new Bearer(token);
    }

    static PrometheusAuth basic(String username, Secret password) {
        return new Basic(username, password);
    }

    /** No {@code Authorization} header. */
    record None() implements PrometheusAuth {
        static final None INSTANCE = new None();

        @Override
        public String toString() {
            return "none";
        }
    }

    /** {@code Authorization: Bearer <token>}. */
    record Bearer(Secret token) implements PrometheusAuth {
        public Bearer {
            Objects.requireNonNull(token, "token");
            // An empty token would send "Bearer " and fail later with a confusing 401.
            if (token.isEmpty()) {
                throw new IllegalArgumentException("bearer token from " + token.origin() + " is empty");
            }
        }
    }

    /** {@code Authorization: Basic base64(username:password)}. */
    record Basic(String username, Secret password) implements PrometheusAuth {
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            // RFC 7617: the user-id cannot contain a colon, the server would split it wrongly.
            if (username.indexOf(':') >= 0) {
                throw new IllegalArgumentException("basic auth username must not contain ':'");
            }
        }
    }
}
