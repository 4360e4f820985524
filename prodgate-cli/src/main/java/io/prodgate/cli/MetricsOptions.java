package io.prodgate.cli;

import io.prodgate.core.metrics.GateMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.Closeable;
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

    /**
     * Created when the metrics are published: without {@code --metrics-port} or {@code --pushgateway} nobody reads
     * them, and the Prometheus client library's classes are a good part of a short run's start-up.
     */
    private GateMetrics metrics;
    /** An {@link HTTPServer} while serving; a Closeable, so that picocli's look at the fields loads none of its classes. */
    private Closeable server;

    /** Whether the metrics are served or pushed. */
    boolean published() {
        return pushgateway != null || metricsPort != null;
    }

    /** The metrics a run records, created on first use. */
    GateMetrics metrics() {
        if (metrics == null) {
            metrics = GateMetrics.create();
        }
        return metrics;
    }

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
            HTTPServer serving = metrics().serve("127.0.0.1", metricsPort);
            server = serving;
            out.println("metrics: http://127.0.0.1:" + serving.getPort() + "/metrics");
        }
    }

    /** Pushes (if asked) and stops serving. A push that fails is reported, not fatal: the verdict stands. */
    void finish(PrintWriter err) {
        if (pushgateway != null) {
            try {
                metrics().push(pushgateway, "prodgate");
            } catch (IOException | RuntimeException e) {
                err.println("prodgate: could not push metrics to " + pushgateway + ": " + e.getMessage());
            }
        }
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                err.println("prodgate: could not stop serving metrics: " + e.getMessage());
            }
            server = null;
        }
    }
}
