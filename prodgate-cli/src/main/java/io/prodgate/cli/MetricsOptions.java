package io.prodgate.cli;

import io.prodgate.core.metrics.GateMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a gate command publishes prodgate's own metrics: served over HTTP while it runs (long bakes), and/or pushed to a
 * Pushgateway when it ends (CI jobs), so teams can alert on verdicts and on missing rollback proofs.
 */
final class MetricsOptions {
    @Option(names = "--pushgateway", paramLabel = "URL", description = "Push prodgate's metrics here when done.")
    String pushgateway;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve prodgate's metrics on 127.0.0.1:PORT/metrics while running.")
    Integer metricsPort;

    @Option(names = "--service", paramLabel = "NAME",
            description = "The service label of the metrics (default: the gate file's name).")
    String service;

    final GateMetrics metrics = GateMetrics.create();
    private HTTPServer server;

    /** Why the options cannot be used, or null; checked before the gate runs, not when it is done. */
    String problem() {
        String problem = pushgateway == null ? null
                : CommandLineUrls.problem(pushgateway, "the Pushgateway is reached without authentication");
        return problem == null ? null : "--pushgateway " + problem;
    }

    String service(Path gateFile) {
        if (service != null) {
            return service;
        }
        Path file = gateFile.getFileName();
        String name = file == null ? "prodgate" : file.toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    void start(PrintWriter out) throws IOException {
        if (metricsPort != null) {
            server = metrics.serve("127.0.0.1", metricsPort);
            out.println("metrics: http://127.0.0.1:" + server.getPort() + "/metrics");
        }
    }

    /** Pushes (if asked) and stops serving. A push that fails is reported, not fatal: the verdict stands. */
    void finish(PrintWriter err) {
        if (pushgateway != null) {
            try {
                metrics.push(pushgateway, "prodgate");
            } catch (IOException | RuntimeException e) {
                err.println("prodgate: could not push metrics to " + pushgateway + ": " + e.getMessage());
            }
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
