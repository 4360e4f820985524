package io.prodgate.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Gate files for CLI tests: availability and latency over the synthetic request metrics. */
final class GateFiles {
    private GateFiles() {
    }

    static String canaryGate(String prometheusUrl, String extra) {
        return """
                version: 1
                prometheus:
                  url: %s
                  timeout: 2s
                  retries: 0
                canary:
                  selectors:
                    canary: 'scenario="healthy",track="canary"'
                    baseline: 'scenario="healthy",track="stable"'
                  bake: 30m
                  interval: 1m
                %s  slos:
                    - name: availability
                      bad: 'sum(increase(http_requests_total{${selector},code=~"5.."}[${window}]))'
                      total: 'sum(increase(http_requests_total{${selector}}[${window}]))'
                      objective: 99
                    - name: latency
                      good: 'sum(increase(http_request_duration_seconds_bucket{${selector},le="0.5"}[${window}]))'
                      total: 'sum(increase(http_request_duration_seconds_count{${selector}}[${window}]))'
                      objective: 90
                """.formatted(prometheusUrl, extra);
    }

    static Path write(Path dir, String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }
}
