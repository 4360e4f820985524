package io.prodgate.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A real HTTP server on 127.0.0.1 for tests: routes answer with a status, a body and an optional delay. */
public final class LocalServer implements AutoCloseable {
    /** What a route answers. A negative status means: never answer (hang until the server closes). */
    public record Reply(int status, String body, long delayMillis) {
        public static Reply of(int status, String body) {
            return new Reply(status, body, 0);
        }

        public static Reply hang() {
            return new Reply(-1, "", 0);
        }
    }

    /** One request as the server saw it. */
    public record Seen(String method, Map<String, String> headers, String body) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-server");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, Seen> last = new ConcurrentHashMap<>();

    private LocalServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 50);
        server.setExecutor(executor);
        server.start();
    }

    public static LocalServer start() {
        try {
            return new LocalServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code path} with what {@code handler} returns for each request (given the request's hit number). */
    public LocalServer route(String path, Function<Integer, Reply> handler) {
        hits.put(path, new AtomicInteger());
        server.createContext(path, ex -> handle(path, ex, handler));
        return this;
    }

    public LocalServer route(String path, int status, String body) {
        return route(path, n -> Reply.of(status, body));
    }

    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    public Seen last(String path) {
        return last.get(path);
    }

    private void handle(String path, HttpExchange ex, Function<Integer, Reply> handler) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new ConcurrentHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            last.put(path, new Seen(ex.getRequestMethod(), headers, body));
            int n = hits.get(path).incrementAndGet();
            Reply reply = handler.apply(n);
            if (reply.status() < 0) {
                closed.await(60, TimeUnit.SECONDS);
                return;
            }
            if (reply.delayMillis() > 0 && closed.await(reply.delayMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
