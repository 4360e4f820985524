package io.prodgate.core.config;

import io.prodgate.core.prometheus.PrometheusAuth;
import io.prodgate.core.prometheus.PrometheusClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Prometheus connection of a gate file. Credentials are references (environment variable or file), resolved when
 * the connection is opened.
 */
public record PrometheusSettings(String url, Optional<SecretRef> bearerToken, Optional<String> username,
                                 Optional<SecretRef> password, boolean tlsVerify, Duration timeout, int retries,
                                 Map<String, String> headers) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_RETRIES = 3;

    public PrometheusSettings {
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(headers);
    }

    public static PrometheusSettings of(String url) {
        return new PrometheusSettings(url, Optional.empty(), Optional.empty(), Optional.empty(), true, DEFAULT_TIMEOUT,
                DEFAULT_RETRIES, Map.of());
    }

    public PrometheusSettings withUrl(String newUrl) {
        return new PrometheusSettings(newUrl, bearerToken, username, password, tlsVerify, timeout, retries, headers);
    }

    /**
     * Opens a client for this connection, resolving credentials from the environment or files now.
     *
     * @throws GateFileException naming the field when a referenced secret cannot be read
     */
    public PrometheusClient openClient(String gateFile, Map<String, String> env, Path baseDir) throws GateFileException {
        PrometheusAuth auth = PrometheusAuth.none();
        if (bearerToken.isPresent()) {
            auth = PrometheusAuth.bearer(bearerToken.get().resolveHeaderValue(gateFile, env, baseDir));
        } else if (username.isPresent() && password.isPresent()) {
            auth = PrometheusAuth.basic(username.get(), password.get().resolve(gateFile, env, baseDir));
        }
        try {
            return PrometheusClient.builder().baseUrl(url).auth(auth).headers(headers).tlsVerify(tlsVerify)
                    .timeout(timeout).retries(retries).build();
        } catch (IllegalArgumentException e) {
            // The gate file's rules catch these first; this keeps any gap a usage error, not a crash. The client's
            // messages never quote header values or credentials.
            throw GateFileException.of(gateFile, "prometheus", e.getMessage());
        }
    }
}
