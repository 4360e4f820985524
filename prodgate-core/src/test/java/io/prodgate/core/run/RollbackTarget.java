package io.prodgate.core.run;

import io.prodgate.core.http.LocalServer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A deployed canary that a gate file's rollback section can roll back: it reports {@code 1.5.0} until a POST to
 * {@code /deploy/rollback} makes it {@code 1.4.1}, as the version check reads it.
 */
final class RollbackTarget implements AutoCloseable {
    final AtomicReference<String> version = new AtomicReference<>("1.5.0");
    private final LocalServer server = LocalServer.start()
            .route("/version", n -> LocalServer.Reply.of(200, "{\"version\":\"" + version.get() + "\"}"))
            .route("/deploy/rollback", n -> {
                version.set("1.4.1");
                return LocalServer.Reply.of(202, "rolling back");
            });

    String url() {
        return server.url();
    }

    int hits(String path) {
        return server.hits(path);
    }

    LocalServer.Seen last(String path) {
        return server.last(path);
    }

    @Override
    public void close() {
        server.close();
    }
}
