package io.prodgate.core.http;

import io.prodgate.core.config.SecretSet;
import io.prodgate.core.secret.Secret;
import io.prodgate.core.util.Durations;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * Sends the HTTP requests of smoke checks and rollback verification. Every call is bounded by one timeout that
 * covers connecting, sending, waiting and reading, so a target that hangs costs exactly that long.
 *
 * <p>Redirects are not followed: a check expecting 200 must not pass because a login page answered after a 302.
 */
public final class HttpProbe implements AutoCloseable {
    /** The most of a body that is read; enough for {@code bodyContains} and JSON checks of a health answer. */
    public static final int BODY_LIMIT = 64 * 1024;
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(50);

    private final SecretSet secrets;
    /** Shared by both clients, which are built on first use: http targets alone never set up the platform's TLS. */
    private final Dispatcher dispatcher = new Dispatcher();
    private final ConnectionPool pool = new ConnectionPool();
    private OkHttpClient cleartext;
    private OkHttpClient tls;

    public HttpProbe(SecretSet secrets) {
        this.secrets = secrets;
    }

    private synchronized OkHttpClient client(boolean https) {
        if (https) {
            if (tls == null) {
                tls = base().build();
            }
            return tls;
        }
        if (cleartext == null) {
            cleartext = base().connectionSpecs(List.of(ConnectionSpec.CLEARTEXT)).build();
        }
        return cleartext;
    }

    private OkHttpClient.Builder base() {
        return new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(pool)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false);
    }

    /**
     * Sends one request and waits at most {@code timeout} for the whole exchange.
     *
     * @param secretHeaders headers whose values are sent but never reported
     */
    public HttpExchange call(String method, String url, Map<String, String> headers, Map<String, Secret> secretHeaders,
                             Optional<String> body, Duration timeout) {
        Duration t = timeout.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : timeout;
        long start = System.nanoTime();
        Request request;
        try {
            Request.Builder b = new Request.Builder().url(url).header("User-Agent", "prodgate");
            headers.forEach(b::header);
            secretHeaders.forEach((name, value) -> b.header(name, value.reveal()));
            b.method(method, requestBody(method, headers, body));
            request = b.build();
        } catch (IllegalArgumentException e) {
            return new HttpExchange(null, "", Duration.ZERO, false, "cannot send: " + secrets.redact(e.getMessage()));
        }
        OkHttpClient bounded = client(request.url().isHttps()).newBuilder()
                .callTimeout(t.toMillis(), TimeUnit.MILLISECONDS)
                .connectTimeout(t.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(t.toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(t.toMillis(), TimeUnit.MILLISECONDS)
                .build();
        Call call = bounded.newCall(request);
        try (Response response = call.execute()) {
            String text = read(response);
            return new HttpExchange(response.code(), secrets.redact(text), since(start), false, "");
        } catch (InterruptedIOException e) {
            return new HttpExchange(null, "", since(start), true, "no answer within " + Durations.human(t));
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            return new HttpExchange(null, "", since(start), false, secrets.redact(why));
        }
    }

    public HttpExchange call(HttpRequestSpec spec, String resolvedUrl, Map<String, Secret> secretHeaders,
                             Duration timeout) {
        return call(spec.method(), resolvedUrl, spec.headers(), secretHeaders, spec.body(), timeout);
    }

    private static RequestBody requestBody(String method, Map<String, String> headers, Optional<String> body) {
        boolean needsBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        if (body.isEmpty() && !needsBody) {
            return null;
        }
        String text = body.orElse("");
        String type = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Content-Type"))
                .map(Map.Entry::getValue).findFirst()
                .orElse(text.stripLeading().startsWith("{") || text.stripLeading().startsWith("[")
                        ? "application/json" : "text/plain; charset=utf-8");
        return RequestBody.create(text, MediaType.parse(type));
    }

    private static String read(Response response) throws IOException {
        BufferedSource source = response.body().source();
        source.request(BODY_LIMIT);
        long n = Math.min(source.getBuffer().size(), BODY_LIMIT);
        return source.readUtf8(n);
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Override
    public void close() {
        dispatcher.executorService().shutdown();
        pool.evictAll();
    }
}
