package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the product jar loads in a plain run (docs/benchmark.md#start-up): a gate file validated, and a canary replayed
 * against an http Prometheus, load neither the platform's TLS nor the metrics library, which only
 * {@code --metrics-port} and {@code --pushgateway} need. Each run is a JVM of its own, as in a CI step.
 */
class StartupClassesIT {
    static final String TLS = "sun.security.ssl.SSLContextImpl";
    static final String METRICS = "io.prometheus.metrics.";

    @TempDir
    Path dir;

    @Test
    void validateLoadsNoMetricsOrTlsClass() throws Exception {
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:9090", ""));
        List<String> classes = run(List.of("validate", "--config", gate.toString()), 0);
        assertThat(classes).contains("io.prodgate.cli.ValidateCommand")
                .noneMatch(c -> c.startsWith(METRICS) || c.startsWith(TLS));
    }

    @Test
    void aReplayAgainstAnHttpPrometheusLoadsNoMetricsOrTlsClass() throws Exception {
        try (MockWebServer prometheus = new MockWebServer()) {
            prometheus.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                            .body("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}")
                            .build();
                }
            });
            prometheus.start();
            Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate(prometheus.url("/").toString(), ""));
            List<String> classes = run(List.of("canary", "--config", gate.toString(), "--quiet",
                    "--from", "2026-11-24T10:00:00Z", "--to", "2026-11-24T10:30:00Z"), 2);
            assertThat(prometheus.getRequestCount()).isPositive();
            assertThat(classes).contains("io.prodgate.core.prometheus.PrometheusClient")
                    .noneMatch(c -> c.startsWith(METRICS) || c.startsWith(TLS));
        }
    }

    @Test
    void metricsAreStillServedWhenAsked() throws Exception {
        Path gate = GateFiles.write(dir, "gate.yaml", GateFiles.canaryGate("http://127.0.0.1:1", ""));
        List<String> classes = run(List.of("canary", "--config", gate.toString(), "--quiet", "--metrics-port", "0",
                "--from", "2026-11-24T10:00:00Z", "--to", "2026-11-24T10:02:00Z"), 2);
        assertThat(classes).anyMatch(c -> c.startsWith(METRICS));
    }

    /** The classes a run of the product jar loads, after checking its exit code. */
    private List<String> run(List<String> args, int exit) throws Exception {
        Path log = dir.resolve("classes.log");
        Files.deleteIfExists(log);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log, "-jar", System.getProperty("productJar")));
        command.addAll(args);
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("prodgate %s ends", args).isTrue();
        assertThat(p.exitValue()).as("exit code of prodgate %s; output:%n%s", args, Files.readString(out))
                .isEqualTo(exit);
        List<String> classes = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            // [0.012s][info][class,load] java.lang.Object source: shared objects file
            int start = line.indexOf("] ");
            int end = line.indexOf(" source:");
            if (line.contains("[class,load]") && start > 0 && end > start) {
                classes.add(line.substring(line.lastIndexOf("] ", end) + 2, end));
            }
        }
        return classes;
    }
}
