package io.jenkins.plugins.prodgate.testing;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A Prometheus stand-in and a service in one local server: {@code /api/v1/query} answers the canary's queries (healthy,
 * regressed or without canary data), {@code /healthz}, {@code /version} and {@code POST /deploy/rollback} play the
 * service that staging smoke checks and rollbacks talk to.
 */
public final class FakeProduction implements AutoCloseable {
    public enum Canary { HEALTHY, REGRESSED, NO_DATA }

    public static final long TOTAL = 1_000_000;
    public static final long BASELINE_BAD = 200;

    private final MockWebServer server = new MockWebServer();
    private final AtomicReference<Canary> canary = new AtomicReference<>(Canary.HEALTHY);
    private final AtomicReference<String> version = new AtomicReference<>("1.4.2");
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    public FakeProduction() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        server.start();
    }

    public String url() {
        String u = server.url("/").toString();
        return u.substring(0, u.length() - 1);
    }

    public void canary(Canary mode) {
        canary.set(mode);
    }

    public String version() {
        return version.get();
    }

    /** The Authorization header of every query, "" when there was none. */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private MockResponse answer(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        switch (path) {
            case "/api/v1/query" -> {
                String auth = request.getHeaders().get("Authorization");
                authorizations.add(auth == null ? "" : auth);
                return json(200, query(form(request, "query")));
            }
            case "/healthz" -> {
                return json(200, "{\"status\":\"ok\"}");
            }
            case "/version" -> {
                return json(200, "{\"version\":\"" + version.get() + "\"}");
            }
            case "/deploy/rollback" -> {
                version.set("1.4.1");
                return json(202, "{}");
            }
            default -> {
                return json(404, "{}");
            }
        }
    }

    /** The counts of one evaluation window: 0.02 % bad on the baseline, 0.5 % on a regressed canary. */
    private String query(String promql) {
        boolean isCanary = promql.contains("track=\"canary\"");
        boolean bad = promql.contains("code=~\"5..\"");
        if (isCanary && canary.get() == Canary.NO_DATA) {
            return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
        }
        long value = !bad ? TOTAL : isCanary && canary.get() == Canary.REGRESSED ? 5_000 : BASELINE_BAD;
        double now = System.currentTimeMillis() / 1000.0;
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":["
                + now + ",\"" + value + "\"]}]}}";
    }

    private static String form(RecordedRequest request, String name) {
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
    }

    @Override
    public void close() {
        server.close();
    }
}
