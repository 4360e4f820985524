package io.prodgate.core.canary;

import io.prodgate.core.prometheus.PrometheusClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.FormBody;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * A Prometheus answering inside the JVM, from an OkHttp interceptor: no socket, no thread, so that tests can run
 * tens of thousands of evaluations. Each query (or each tagged part of a combined query) is answered by a function of
 * the query and the time: a number, or null for no series.
 */
final class FakePrometheus {
    private static final Pattern PART = Pattern.compile(
            "label_replace\\(\\((.*?)\\n\\), \"prodgate_figure\", \"([^\"]+)\", \"\", \"\"\\)", Pattern.DOTALL);

    final AtomicInteger requests = new AtomicInteger();
    final List<String> queries = new ArrayList<>();
    private final BiFunction<String, Double, String> answer;
    final PrometheusClient client;

    FakePrometheus(BiFunction<String, Double, String> answer) {
        this.answer = answer;
        OkHttpClient http = new OkHttpClient.Builder().addInterceptor(chain -> respond(chain.request())).build();
        this.client = PrometheusClient.builder().baseUrl("http://prometheus.invalid:9090").okHttpClient(http)
                .sleeper(d -> { }).build();
    }

    private Response respond(Request request) {
        requests.incrementAndGet();
        FormBody form = (FormBody) request.body();
        String query = null;
        String time = null;
        for (int i = 0; i < form.size(); i++) {
            if (form.name(i).equals("query")) {
                query = form.value(i);
            } else if (form.name(i).equals("time")) {
                time = form.value(i);
            }
        }
        synchronized (queries) {
            queries.add(query);
        }
        StringBuilder result = new StringBuilder();
        Matcher m = PART.matcher(query);
        boolean combined = false;
        while (m.find()) {
            combined = true;
            sample(result, m.group(1), "\"prodgate_figure\":\"" + m.group(2) + "\"", time);
        }
        if (!combined) {
            sample(result, query, "", time);
        }
        String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + result + "]}}";
        return new Response.Builder().request(request).protocol(Protocol.HTTP_1_1).code(200).message("OK")
                .body(ResponseBody.create(body, MediaType.get("application/json"))).build();
    }

    private void sample(StringBuilder result, String query, String labels, String time) {
        String value = answer.apply(query, Double.parseDouble(time));
        if (value != null) {
            result.append(result.length() == 0 ? "" : ",").append("{\"metric\":{").append(labels)
                    .append("},\"value\":[").append(time).append(",\"")
                    .append(value).append("\"]}");
        }
    }
}
