package io.prodgate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prodgate.testkit.Behaviour;
import io.prodgate.testkit.LoadGenerator;
import io.prodgate.testkit.LocalPrometheus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The environment's traffic admin endpoint shifts its user traffic; the weights are checked, not the timing. */
class DemoEnvironmentTest {

    @Test
    @Timeout(120)
    void trafficAdminUrlShiftsTheUserTraffic() throws Exception {
        assumeTrue(LocalPrometheus.isInstalled(), "prometheus/promtool not on PATH; " + LocalPrometheus.INSTALL_HINT);
        Behaviour quick = Behaviour.defaults().withLatencyMedianSeconds(0.002).withLatencySigma(0);
        DemoEnvironment.Settings settings = new DemoEnvironment.Settings(quick, quick.withVersion("1.5.0"),
                new DemoEnvironment.Traffic(20, 0.3, 4), Duration.ofSeconds(1));
        String url;
        try (DemoEnvironment env = DemoEnvironment.start(settings)) {
            url = env.trafficAdminUrl();
            assertThat(url).startsWith("http://127.0.0.1:").endsWith("/admin/weights");
            // The settings' share until someone shifts it.
            assertThat(send("GET", url, null)).isEqualTo("200 {\"stable\":70.0,\"canary\":30.0}");
            LoadGenerator first = env.startTraffic(Duration.ofMinutes(1));
            assertThat(first.weights()).containsExactly(entry("stable", 70.0), entry("canary", 30.0));

            // A shift reaches the running traffic ...
            assertThat(send("POST", url, "{\"canary\":1}")).isEqualTo("200 {\"stable\":99.0,\"canary\":1.0}");
            assertThat(first.weights()).containsExactly(entry("stable", 99.0), entry("canary", 1.0));
            // ... and the traffic of the next stage.
            LoadGenerator second = env.startTraffic(Duration.ofMinutes(1));
            assertThat(second).isNotSameAs(first);
            assertThat(second.weights()).containsExactly(entry("stable", 99.0), entry("canary", 1.0));
            assertThat(send("POST", url, "{\"canary\":50}")).startsWith("200 ");
            assertThat(second.weights()).containsExactly(entry("stable", 50.0), entry("canary", 50.0));
            assertThat(first.weights()).containsExactly(entry("stable", 99.0), entry("canary", 1.0));

            assertThat(send("POST", url, "{\"canary\":150}")).startsWith("400 ").contains("[0, 100]");
            assertThat(env.trafficSplitter().canaryPercent()).isEqualTo(50.0);
        }
        assertThatThrownBy(() -> send("GET", url, null)).isInstanceOf(IOException.class);
    }

    /** {@code "STATUS BODY"}; no client threads left behind. */
    private static String send(String method, String url, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try {
            c.setRequestMethod(method);
            c.setConnectTimeout(2000);
            c.setReadTimeout(10_000);
            if (body != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String text = "";
            if (in != null) {
                try (in) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return status + " " + text;
        } finally {
            c.disconnect();
        }
    }
}
