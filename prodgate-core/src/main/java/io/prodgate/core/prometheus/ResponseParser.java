package io.prodgate.core.prometheus;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.core.secret.Redactor;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the Prometheus HTTP API envelope ({@code status}, {@code data.resultType}, {@code data.result},
 * {@code errorType}, {@code error}, {@code warnings}) as documented for Prometheus and implemented by Thanos, Mimir,
 * Cortex and VictoriaMetrics. Only fields in that common format are read.
 *
 * <p>Every string taken from the answer (label names and values, warnings, error texts) is redacted here, the one
 * place they enter: a server or proxy may echo the request's credentials in any of them, and from here they reach
 * messages, reports and state files.
 */
final class ResponseParser {
    // Big decimals keep timestamps such as 1700000000.123 exact instead of rounding them through a double.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    sealed interface Parsed permits Data, ErrorDocument, Invalid {
    }

    record Data(ResultType resultType, List<Series> series, List<String> warnings) implements Parsed {
    }

    record ErrorDocument(String errorType, String error) implements Parsed {
    }

    record Invalid(String reason) implements Parsed {
    }

    /** Thrown inside the parser for a missing or mistyped field; never leaves this class. */
    private static final class BadShape extends Exception {
        BadShape(String message) {
            super(message, null, false, false);
        }
    }

    private final Redactor redactor;

    ResponseParser(Redactor redactor) {
        this.redactor = redactor;
    }

    Parsed parse(String body) {
        Parsed parsed = parseRaw(body);
        return parsed instanceof Invalid invalid ? new Invalid(redactor.redact(invalid.reason())) : parsed;
    }

    private Parsed parseRaw(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            String detail = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
            return new Invalid("body is not JSON (" + Texts.truncate(detail, 120) + ")");
        }
        if (root == null || !root.isObject()) {
            return new Invalid("body is not a JSON object");
        }
        String status = root.path("status").asText("");
        try {
            return switch (status) {
                case "success" -> data(root);
                case "error" -> new ErrorDocument(redactor.redact(textOr(root.get("errorType"), "unknown")),
                        redactor.redact(textOr(root.get("error"), "(no message)")));
                default -> new Invalid(status.isEmpty() ? "no \"status\" field" : "unknown status \"" + status + "\"");
            };
        } catch (BadShape e) {
            return new Invalid(e.getMessage());
        }
    }

    private Data data(JsonNode root) throws BadShape {
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new BadShape("no \"data\" object");
        }
        String type = data.path("resultType").asText("");
        JsonNode result = data.get("result");
        if (result == null || !result.isArray()) {
            throw new BadShape("no \"data.result\" array");
        }
        List<Series> series = new ArrayList<>();
        ResultType resultType;
        switch (type) {
            case "vector" -> {
                resultType = ResultType.VECTOR;
                for (JsonNode item : result) {
                    series.add(new Series(labels(item), List.of(sample(sampleField(item, "value", "histogram")))));
                }
            }
            case "matrix" -> {
                resultType = ResultType.MATRIX;
                for (JsonNode item : result) {
                    JsonNode values = sampleField(item, "values", "histograms");
                    if (!values.isArray()) {
                        throw new BadShape("\"values\" is not an array");
                    }
                    List<Sample> samples = new ArrayList<>(values.size());
                    for (JsonNode pair : values) {
                        samples.add(sample(pair));
                    }
                    series.add(new Series(labels(item), samples));
                }
            }
            case "scalar" -> {
                resultType = ResultType.SCALAR;
                series.add(new Series(Map.of(), List.of(sample(result))));
            }
            case "" -> throw new BadShape("no \"data.resultType\"");
            default -> throw new BadShape("unsupported resultType \"" + type + "\"");
        }
        List<String> warnings = new ArrayList<>();
        for (JsonNode warning : root.path("warnings")) {
            warnings.add(redactor.redact(warning.asText()));
        }
        return new Data(resultType, series, warnings);
    }

    private static JsonNode sampleField(JsonNode item, String field, String histogramField) throws BadShape {
        JsonNode node = item.get(field);
        if (node == null) {
            // Native histogram samples have no single number; the query must reduce them (histogram_quantile, ...).
            throw new BadShape(item.has(histogramField)
                    ? "native histogram samples are not supported; reduce them in PromQL, e.g. histogram_quantile(...)"
                    : "a series has no \"" + field + "\"");
        }
        return node;
    }

    private Map<String, String> labels(JsonNode item) throws BadShape {
        JsonNode metric = item.get("metric");
        if (metric == null || metric.isNull()) {
            return Map.of();
        }
        if (!metric.isObject()) {
            throw new BadShape("\"metric\" is not an object");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : metric.properties()) {
            labels.put(redactor.redact(e.getKey()), redactor.redact(e.getValue().asText()));
        }
        return labels;
    }

    /** A {@code [<unix seconds>, "<value>"]} pair. */
    private static Sample sample(JsonNode pair) throws BadShape {
        if (!pair.isArray() || pair.size() != 2) {
            throw new BadShape("a sample is not a [time, value] pair");
        }
        return new Sample(time(pair.get(0)), value(pair.get(1)));
    }

    private static Instant time(JsonNode node) throws BadShape {
        try {
            BigDecimal seconds = node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText());
            return EpochSeconds.parse(seconds);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new BadShape("bad sample time \"" + Texts.truncate(node.asText(), 40) + "\"");
        }
    }

    /** Prometheus writes values as strings so that it can say NaN, +Inf and -Inf; some proxies send numbers. */
    static double value(JsonNode node) throws BadShape {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        String text = node.asText().strip();
        switch (text.toLowerCase(Locale.ROOT)) {
            case "nan":
                return Double.NaN;
            case "+inf":
            case "inf":
            case "+infinity":
            case "infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf":
            case "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new BadShape("bad sample value \"" + Texts.truncate(text, 40) + "\"");
                }
        }
    }

    private static String textOr(JsonNode node, String fallback) {
        return node == null || node.isNull() ? fallback : node.asText();
    }
}
