package io.prodgate.core.run;

import io.prodgate.core.metrics.GateMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A run's progress and files, kept in memory so a test can read them. */
final class RecordingOutput implements Progress, FileSink {
    final List<String> lines = new ArrayList<>();
    final Map<Path, String> files = new LinkedHashMap<>();

    @Override
    public void summary(String text) {
        lines.add(text);
    }

    @Override
    public void wrote(String what, Path file) {
        lines.add(what + ": " + file);
    }

    @Override
    public void write(Path file, String content) {
        files.put(file, content);
    }

    /** The metrics as Prometheus would scrape them. */
    static String scrape(GateMetrics metrics) throws IOException, InterruptedException {
        try (HTTPServer server = metrics.serve("127.0.0.1", 0)) {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
