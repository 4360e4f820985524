package io.prodgate.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.config.SecretSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpProbeTest {
    @TempDir
    Path dir;

    /** Smoke checks and rollback polls keep a glimpse of an answer; a huge one must not be read into memory. */
    @Test
    void readsNoMoreOfAnAnswerThanTheBodyLimit() {
        try (LocalServer server = LocalServer.start();
             HttpProbe probe = new HttpProbe(new SecretSet("gate.yaml", Map.of(), dir))) {
            server.route("/big", 200, "x".repeat(16 * 1024 * 1024));
            HttpExchange ex = probe.call("GET", server.url() + "/big", Map.of(), Map.of(), Optional.empty(),
                    Duration.ofSeconds(30));
            assertThat(ex.status()).isEqualTo(200);
            assertThat(ex.body()).hasSize(HttpProbe.BODY_LIMIT);
        }
    }

    /** http and https targets mixed in one probe: the TLS client is only built for https, and still used for it. */
    @Test
    void anHttpsTargetIsCalledOverTlsNextToAnHttpOne() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (LocalServer server = LocalServer.start();
             HttpProbe probe = new HttpProbe(new SecretSet("gate.yaml", Map.of(), dir))) {
            server.route("/health", 200, "ok");
            assertThat(probe.call("GET", server.url() + "/health", Map.of(), Map.of(), Optional.empty(),
                    Duration.ofSeconds(10)).status()).isEqualTo(200);
            HttpExchange tls = probe.call("GET", "https://127.0.0.1:" + closed + "/health", Map.of(), Map.of(),
                    Optional.empty(), Duration.ofSeconds(10));
            assertThat(tls.status()).isNull();
            assertThat(tls.error()).doesNotContainIgnoringCase("cleartext").containsIgnoringCase("connect");
        }
    }
}
