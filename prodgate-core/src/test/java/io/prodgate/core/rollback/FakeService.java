package io.prodgate.core.rollback;

import io.prodgate.core.http.LocalServer.Reply;
import io.prodgate.core.http.LocalServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real local HTTP "service" whose /version and /healthz change when it is rolled back or forward: by a POST to
 * /deploy/rollback or /deploy/forward, or by a command writing the new version into {@link #switchFile()}.
 * After each switch, /healthz answers 503 for {@link #warmUpPolls} polls.
 */
final class FakeService implements AutoCloseable {
    final LocalServer server = LocalServer.start();
    final AtomicReference<String> version = new AtomicReference<>("1.4.2");
    final AtomicInteger warmUpPolls = new AtomicInteger(2);
    final AtomicBoolean healthBroken = new AtomicBoolean();
    private final AtomicInteger unhealthy = new AtomicInteger();
    private final Path switchFile;

    FakeService(Path dir) {
        this.switchFile = dir.resolve("switch");
        server.route("/version", n -> {
            sync();
            return Reply.of(200, "{\"service\":\"checkout\",\"version\":\"" + version.get() + "\"}");
        });
        server.route("/version.txt", n -> {
            sync();
            return Reply.of(200, version.get() + "\n");
        });
        server.route("/healthz", n -> {
            sync();
            return healthBroken.get() || unhealthy.getAndDecrement() > 0 ? Reply.of(503, "warming up")
                    : Reply.of(200, "ok");
        });
        server.route("/deploy/rollback", n -> switchTo("1.4.1", 202));
        server.route("/deploy/forward", n -> switchTo("1.4.2", 202));
        server.route("/deploy/broken", n -> Reply.of(500, "deploy API down"));
    }

    String url() {
        return server.url();
    }

    Path switchFile() {
        return switchFile;
    }

    private Reply switchTo(String v, int status) {
        version.set(v);
        unhealthy.set(warmUpPolls.get());
        return Reply.of(status, "switching to " + v);
    }

    private synchronized void sync() {
        try {
            if (Files.exists(switchFile)) {
                String v = Files.readString(switchFile).strip();
                Files.delete(switchFile);
                switchTo(v, 200);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
