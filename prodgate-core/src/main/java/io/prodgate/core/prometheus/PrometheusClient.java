package io.prodgate.core.prometheus;

import io.prodgate.core.secret.Redactor;
import io.prodgate.core.secret.Secret;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionSpec;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import okio.GzipSource;
import okio.Okio;

/**
 * A client for the Prometheus HTTP query API ({@code /api/v1/query}, {@code /api/v1/query_range}) that also works
 * against Thanos, Mimir, Cortex and VictoriaMetrics.
 *
 * <p>Queries never throw for remote trouble: they return a {@link QueryOutcome} (or {@link ScalarOutcome}) with one
 * record per failure kind. Network errors, 5xx, 429 and 408 are retried with doubling backoff; other 4xx (a bad
 * query) are final. Credentials never appear in outcomes, exception messages, {@code toString()} or logs.
 *
 * <p>Instances are immutable and thread-safe. Close the client to release the connection pool it created; a pool
 * passed in with {@link Builder#okHttpClient} is left to its owner.
 */
public final class PrometheusClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PrometheusClient.class.getName());
    private static final String USER_AGENT = "prodgate";
    /**
     * The longest answer read. A one-number answer is a few hundred bytes and a range over a day of a few series some
     * hundred KiB; an answer past this is a query that selects far too many series, and reading it whole could cost
     * gigabytes of heap.
     */
    public static final long MAX_ANSWER_BYTES = 4L * 1024 * 1024;

    private final HttpUrl baseUrl;
    private final String endpoint;
    private final PrometheusAuth auth;
    private final Headers headers;
    private final OkHttpClient http;
    private final boolean ownsHttp;
    private final Duration timeout;
    private final int retries;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final Sleeper sleeper;
    private final Redactor redactor;
    private final ResponseParser parser;

    private PrometheusClient(Builder b, HttpUrl baseUrl, PrometheusAuth auth, List<Secret> secrets) {
        this.baseUrl = baseUrl;
        this.endpoint = display(baseUrl);
        this.auth = auth;
        this.redactor = new Redactor(secrets);
        this.parser = new ResponseParser(redactor);
        this.timeout = b.timeout;
        this.retries = b.retries;
        this.backoff = b.backoff;
        this.maxBackoff = b.maxBackoff;
        this.sleeper = b.sleeper;
        this.headers = headers(b.headers, auth);
        this.ownsHttp = b.okHttpClient == null;
        // newBuilder() shares the given client's connection pool and dispatcher; only timeouts and TLS differ.
        OkHttpClient.Builder http = (ownsHttp ? ownBuilder(baseUrl) : b.okHttpClient.newBuilder())
                .callTimeout(timeout)
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout);
        if (!b.tlsVerify) {
            trustAll(http);
            // Only the host: the URL may have carried credentials, and the warning goes to logs.
            LOG.log(System.Logger.Level.WARNING, "TLS certificate and hostname verification is disabled for {0}",
                    baseUrl.host());
        }
        this.http = http.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A fresh client's builder. For an http URL it speaks cleartext only, so that the platform's TLS (a hundred classes
     * and its trust store, a good part of a short CLI run's start-up) is never set up; a redirect to https is then
     * answered as the redirect (an {@link HttpError}), not followed. For https, OkHttp's defaults.
     */
    static OkHttpClient.Builder ownBuilder(HttpUrl baseUrl) {
        OkHttpClient.Builder http = new OkHttpClient.Builder();
        if (!baseUrl.isHttps()) {
            http.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT)).followSslRedirects(false);
        }
        return http;
    }

    /** The API root queries go to, without userinfo; safe to print. */
    public String endpoint() {
        return endpoint;
    }

    /** Evaluates {@code promql} at {@code time} ({@code POST /api/v1/query}). */
    public QueryOutcome instantQuery(String promql, Instant time) {
        Objects.requireNonNull(promql, "promql");
        Objects.requireNonNull(time, "time");
        FormBody form = new FormBody.Builder()
                .add("query", promql)
                .add("time", EpochSeconds.format(time))
                .build();
        return execute("api/v1/query", form, promql, true);
    }

    /**
     * Evaluates several one-number queries at {@code time} in one request ({@code POST /api/v1/query}), and gives
     * each the {@link ScalarOutcome} that {@link #scalar} would have given it alone.
     *
     * <p>Each query's series are tagged with a label holding its tag (see {@link TaggedScalars.Status} for when the
     * combination cannot answer); the tag label is removed again from the label sets of the outcomes.
     *
     * @param queries PromQL per tag, in the order they are joined; tags are 1 to 100 letters, digits or
     *                {@code _ . / : -}
     */
    public TaggedScalars scalars(Map<String, String> queries, Instant time) {
        Objects.requireNonNull(queries, "queries");
        Objects.requireNonNull(time, "time");
        if (queries.isEmpty()) {
            throw new IllegalArgumentException("no queries");
        }
        Map<String, String> copy = new LinkedHashMap<>(queries);
        copy.values().forEach(q -> Objects.requireNonNull(q, "query"));
        return Tagging.split(instantQuery(Tagging.combine(copy), time), copy);
    }

    /** Evaluates {@code promql} from {@code start} to {@code end} every {@code step} ({@code POST /api/v1/query_range}). */
    public QueryOutcome rangeQuery(String promql, Instant start, Instant end, Duration step) {
        Objects.requireNonNull(promql, "promql");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(step, "step");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("range end " + end + " is before start " + start);
        }
        if (step.isNegative() || step.isZero()) {
            throw new IllegalArgumentException("step must be positive, got " + step);
        }
        FormBody form = new FormBody.Builder()
                .add("query", promql)
                .add("start", EpochSeconds.format(start))
                .add("end", EpochSeconds.format(end))
                .add("step", EpochSeconds.format(step))
                .build();
        return execute("api/v1/query_range", form, promql, false);
    }

    /**
     * Evaluates {@code promql} at {@code time} and expects one number: a scalar, or a vector with one sample.
     * Anything else is classified ({@link ScalarOutcome.Empty}, {@link ScalarOutcome.NotFinite},
     * {@link ScalarOutcome.TooManySeries}, ...).
     */
    public ScalarOutcome scalar(String promql, Instant time) {
        QueryOutcome outcome = instantQuery(promql, time);
        if (outcome instanceof QueryFailure failure) {
            return failure;
        }
        return ScalarClassifier.classify((QueryOutcome.Success) outcome);
    }

    /** Releases the connection pool and threads, unless they belong to a client passed to the builder. */
    @Override
    public void close() {
        if (ownsHttp) {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    @Override
    public String toString() {
        return "PrometheusClient{endpoint=" + endpoint + ", auth=" + authKind() + ", timeout=" + timeout
                + ", retries=" + retries + "}";
    }

    // ---- one query, with retries ----

    /** The outcome of one HTTP attempt and whether trying again might help. */
    private record Attempt(QueryOutcome outcome, boolean retryable, Duration retryAfter) {
    }

    /**
     * @param identity whether to ask for the answer uncompressed: an instant query's answer is a few hundred bytes,
     *                 and gzip costs both ends more CPU than it saves (a range query's answer may be large: OkHttp
     *                 asks for gzip and inflates it)
     */
    private QueryOutcome execute(String path, FormBody form, String promql, boolean identity) {
        HttpUrl url = baseUrl.newBuilder().addPathSegments(path).build();
        Request.Builder builder = new Request.Builder().url(url).headers(headers).post(form);
        if (identity && headers.get("Accept-Encoding") == null) {
            // OkHttp asks for gzip and inflates the answer itself unless the request names an encoding.
            builder.header("Accept-Encoding", "identity");
        }
        Request request = builder.build();
        // Queries only read, so sending the same POST again is safe.
        int maxAttempts = retries + 1;
        for (int attempt = 1; ; attempt++) {
            Attempt result = attempt(request, promql, attempt);
            if (!result.retryable() || attempt >= maxAttempts) {
                return result.outcome();
            }
            Duration delay = delay(attempt, result.retryAfter());
            LOG.log(System.Logger.Level.DEBUG, () -> "Retrying " + endpoint + " in " + delay.toMillis() + " ms: "
                    + result.outcome().describe());
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                // Stop retrying and keep the interrupt for the caller, who is probably shutting down.
                Thread.currentThread().interrupt();
                return result.outcome();
            }
        }
    }

    private Attempt attempt(Request request, String promql, int attempt) {
        try (Response response = http.newCall(request).execute()) {
            // Read inside the try: a body that stalls past the timeout is a network failure like any other.
            String body = boundedBody(response, request);
            if (body == null) {
                return new Attempt(new AnswerTooLarge(endpoint, response.code(), MAX_ANSWER_BYTES, promql, attempt),
                        retryable(response.code()), null);
            }
            return answer(response, body, promql, attempt);
        } catch (IOException e) {
            boolean interrupted = Thread.currentThread().isInterrupted();
            return new Attempt(new Unreachable(endpoint, redactor.redact(reason(e)), promql, attempt),
                    !interrupted && retryable(e), null);
        }
    }

    private Attempt answer(Response response, String body, String promql, int attempt) {
        int status = response.code();
        ResponseParser.Parsed parsed = parser.parse(body);
        if (response.isSuccessful()) {
            if (parsed instanceof ResponseParser.Data data) {
                return new Attempt(new QueryOutcome.Success(data.resultType(), data.series(), data.warnings(),
                        promql, attempt), false, null);
            }
            if (parsed instanceof ResponseParser.ErrorDocument error) {
                return new Attempt(prometheusError(status, error, promql, attempt), false, null);
            }
            String reason = ((ResponseParser.Invalid) parsed).reason();
            return new Attempt(new MalformedBody(endpoint, status, reason,
                    Texts.excerpt(redactor.redact(body)), promql, attempt), false, null);
        }
        boolean retryable = retryable(status);
        Duration retryAfter = retryAfter(response.header("Retry-After"));
        // Prometheus sends its own error document with 400, 422 and 503; it says more than the status code.
        QueryOutcome outcome = parsed instanceof ResponseParser.ErrorDocument error
                ? prometheusError(status, error, promql, attempt)
                : new HttpError(endpoint, status, Texts.excerpt(redactor.redact(body)), promql, attempt);
        return new Attempt(outcome, retryable, retryAfter);
    }

    /** The whole body, or null when it is longer than {@link #MAX_ANSWER_BYTES}: then it is not read past that. */
    private static String boundedBody(Response response, Request request) throws IOException {
        ResponseBody body = response.body();
        if (request.header("Accept-Encoding") != null && "gzip".equalsIgnoreCase(response.header("Content-Encoding"))) {
            // Asked for identity and sent gzip anyway (some proxies do): OkHttp leaves it to us when we named the
            // encoding. The limit applies to the inflated answer.
            BufferedSource inflated = Okio.buffer(new GzipSource(body.source()));
            if (inflated.request(MAX_ANSWER_BYTES + 1)) {
                return null;
            }
            MediaType type = body.contentType();
            Charset charset = type == null ? null : type.charset();
            return inflated.readString(charset == null ? StandardCharsets.UTF_8 : charset);
        }
        if (body.contentLength() > MAX_ANSWER_BYTES || body.source().request(MAX_ANSWER_BYTES + 1)) {
            return null;
        }
        return body.string(); // all of it is buffered now; this decodes it in the answer's charset
    }

    /** 408 and 429 are explicit "try again later"; 5xx covers overload, restarts and proxies without a backend. */
    private static boolean retryable(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    private PrometheusError prometheusError(int status, ResponseParser.ErrorDocument error, String promql,
            int attempt) {
        return new PrometheusError(endpoint, status, Texts.truncate(error.errorType(), 60),
                Texts.truncate(error.error(), 500), promql, attempt);
    }

    /** Doubling from the initial backoff, capped; a server's Retry-After may lengthen it up to the cap. */
    private Duration delay(int attempt, Duration retryAfter) {
        Duration delay = backoff;
        for (int i = 1; i < attempt && delay.compareTo(maxBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter;
        }
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }

    private static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(header.strip());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null; // the HTTP-date form is rare for APIs; the regular backoff applies
        }
    }

    private static boolean retryable(IOException e) {
        // A certificate the client rejects is rejected again on every attempt.
        return !(e instanceof SSLHandshakeException || e instanceof SSLPeerUnverifiedException);
    }

    /** A short, lower-case account of a network failure; the raw exception messages vary between JDKs. */
    private String reason(IOException e) {
        if (e instanceof UnknownHostException) {
            return "unknown host " + baseUrl.host();
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            if (Thread.currentThread().isInterrupted()) {
                return "interrupted";
            }
            String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            return (message.contains("connect") ? "connect timed out" : "timed out") + " after " + format(timeout);
        }
        if (e instanceof ConnectException) {
            String root = String.valueOf(rootCause(e).getMessage()).toLowerCase(Locale.ROOT);
            return root.contains("refused") ? "connection refused" : "cannot connect (" + root + ")";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof SSLException) {
            return "TLS failure (" + rootCause(e).getMessage() + ")";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }

    private static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private String authKind() {
        if (auth instanceof PrometheusAuth.Bearer) {
            return "bearer";
        }
        if (auth instanceof PrometheusAuth.Basic basic) {
            return "basic(" + basic.username() + ")";
        }
        return "none";
    }

    private static Headers headers(Map<String, String> extra, PrometheusAuth auth) {
        Headers.Builder headers = new Headers.Builder()
                .add("Accept", "application/json")
                .add("User-Agent", USER_AGENT);
        extra.forEach(headers::set);
        if (auth instanceof PrometheusAuth.Bearer bearer) {
            headers.set("Authorization", "Bearer " + bearer.token().reveal());
        } else if (auth instanceof PrometheusAuth.Basic basic) {
            headers.set("Authorization",
                    Credentials.basic(basic.username(), basic.password().reveal(), StandardCharsets.UTF_8));
        }
        return headers.build();
    }

    /** For self-signed test setups only: accepts any certificate and any host name. */
    private static void trustAll(OkHttpClient.Builder http) {
        X509TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {trustAll}, new SecureRandom());
            http.sslSocketFactory(tls.getSocketFactory(), trustAll).hostnameVerifier((host, session) -> true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS without verification", e);
        }
    }

    private static String display(HttpUrl url) {
        String s = url.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Builds a {@link PrometheusClient}; only {@link #baseUrl} is required. */
    public static final class Builder {
        private String baseUrl;
        private PrometheusAuth auth = PrometheusAuth.none();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private boolean tlsVerify = true;
        private Duration timeout = Duration.ofSeconds(10);
        private int retries = 3;
        private Duration backoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private OkHttpClient okHttpClient;
        private Sleeper sleeper = Sleeper.SYSTEM;

        private static final List<String> CREDENTIAL_WORDS =
                List.of("auth", "token", "key", "secret", "password", "session", "cookie", "credential");

        private Builder() {
        }

        /**
         * The API root, e.g. {@code http://127.0.0.1:9090} or {@code https://mimir/prometheus}; {@code /api/v1/...}
         * is appended. Userinfo ({@code https://user:pass@host}) is taken as basic auth when no {@link #auth} is set.
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        public Builder auth(PrometheusAuth auth) {
            this.auth = Objects.requireNonNull(auth, "auth");
            return this;
        }

        /** Extra headers sent with every request, e.g. {@code X-Scope-OrgID} for Mimir and Cortex tenants. */
        public Builder headers(Map<String, String> headers) {
            this.headers.clear();
            Objects.requireNonNull(headers, "headers").forEach(this::header);
            return this;
        }

        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            // Validate now, so that a bad header fails the build and not the first query; never echo the value.
            try {
                new Headers.Builder().add(name, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid header " + name.replaceAll("[^\\x21-\\x7e]", "?"));
            }
            this.headers.put(name, value);
            return this;
        }

        /** {@code false} trusts every certificate and host name: only for self-signed test setups. */
        public Builder tlsVerify(boolean tlsVerify) {
            this.tlsVerify = tlsVerify;
            return this;
        }

        /** Limit for one HTTP attempt, from connecting to the last body byte. Default 10 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /** Extra attempts after the first for network errors, 5xx, 429 and 408. Default 3. */
        public Builder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be >= 0, got " + retries);
            }
            this.retries = retries;
            return this;
        }

        /** The first wait between attempts; it doubles after each attempt up to {@link #maxBackoff}. Default 250 ms. */
        public Builder backoff(Duration initial) {
            this.backoff = positive(initial, "backoff");
            return this;
        }

        /** The longest wait between attempts. Default 5 s. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = positive(maxBackoff, "maxBackoff");
            return this;
        }

        /** A client whose connection pool and dispatcher are shared; {@link PrometheusClient#close} leaves them. */
        public Builder okHttpClient(OkHttpClient okHttpClient) {
            this.okHttpClient = Objects.requireNonNull(okHttpClient, "okHttpClient");
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        public PrometheusClient build() {
            if (baseUrl == null) {
                throw new IllegalStateException("baseUrl is required");
            }
            HttpUrl parsed = HttpUrl.parse(baseUrl.strip());
            if (parsed == null) {
                // Strip userinfo: a URL that failed to parse may still carry a password.
                throw new IllegalArgumentException("not an http(s) URL: " + Redactor.stripUserinfo(baseUrl));
            }
            PrometheusAuth effective = auth;
            List<Secret> secrets = new ArrayList<>();
            if (!parsed.encodedUsername().isEmpty() || !parsed.encodedPassword().isEmpty()) {
                Secret password = Secret.of(parsed.password(), "baseUrl userinfo");
                secrets.add(password);
                if (!parsed.encodedPassword().isEmpty()) {
                    secrets.add(Secret.of(parsed.encodedPassword(), "baseUrl userinfo"));
                }
                if (effective instanceof PrometheusAuth.None) {
                    effective = PrometheusAuth.basic(URLDecoder.decode(parsed.encodedUsername(),
                            StandardCharsets.UTF_8), password);
                }
                // Never send userinfo in the request URL; it goes (at most) into the Authorization header.
                parsed = parsed.newBuilder().username("").password("").build();
            }
            if (effective instanceof PrometheusAuth.Bearer bearer) {
                secrets.add(bearer.token());
            } else if (effective instanceof PrometheusAuth.Basic basic) {
                secrets.add(basic.password());
                // Servers that echo the request show the header form, base64 of user:password.
                String header = Credentials.basic(basic.username(), basic.password().reveal(), StandardCharsets.UTF_8);
                secrets.add(Secret.of(header, "basic auth header").asHeaderValue());
            }
            headers.forEach((name, value) -> {
                if (carriesCredential(name)) {
                    secrets.add(Secret.of(value, "header " + name).asHeaderValue());
                }
            });
            if (!(effective instanceof PrometheusAuth.None)
                    && headers.keySet().stream().anyMatch(name -> name.equalsIgnoreCase("Authorization"))) {
                throw new IllegalArgumentException("Authorization is set both by auth(...) and headers(...)");
            }
            return new PrometheusClient(this, parsed, effective, secrets);
        }

        /** Headers that authenticate (Authorization, Cookie, X-Api-Key, X-Auth-Token, ...), by their usual names. */
        private static boolean carriesCredential(String header) {
            String name = header.toLowerCase(Locale.ROOT);
            return name.equals("authorization") || name.equals("proxy-authorization") || name.equals("cookie")
                    || CREDENTIAL_WORDS.stream().anyMatch(name::contains);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
