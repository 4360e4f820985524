package io.prodgate.core.http;

import io.prodgate.core.config.SecretRef;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request as a gate file describes it. Secret headers are references ({@code headersFromEnv}), resolved when
 * the request is sent, so the spec can be printed.
 *
 * @param url            absolute, or relative ({@code /healthz}) to the gate's target
 * @param headers        plain headers, written in the gate file
 * @param secretHeaders  header name to where its value lives; the value never appears in evidence
 * @param timeout        the whole call: connect, send, wait, read
 */
public record HttpRequestSpec(String method, String url, Map<String, String> headers,
                              Map<String, SecretRef> secretHeaders, Optional<String> body, Duration timeout) {
    public HttpRequestSpec {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(headers);
        secretHeaders = Map.copyOf(secretHeaders);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** Whether the URL needs a target to resolve against. */
    public boolean isRelative() {
        return !url.contains("://");
    }

    /** The URL to call: as written when absolute, else appended to {@code target}. */
    public String resolve(Optional<String> target) {
        if (!isRelative()) {
            return url;
        }
        String base = target.orElseThrow(() -> new IllegalStateException("relative URL without a target: " + url));
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return b + (url.startsWith("/") ? url : "/" + url);
    }
}
