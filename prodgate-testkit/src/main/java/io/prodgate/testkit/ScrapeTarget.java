package io.prodgate.testkit;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One Prometheus scrape target: becomes a {@code static_configs} entry of job {@code jobName} with the given
 * extra labels (e.g. {@code track="canary"}). Targets sharing a job name are grouped into one scrape job.
 *
 * @param jobName Prometheus job name (the {@code job} label)
 * @param hostPort loopback {@code host:port}, e.g. {@code 127.0.0.1:41234}
 * @param labels extra target labels; names must match {@code [a-zA-Z_][a-zA-Z0-9_]*} and not start with "__"
 */
public record ScrapeTarget(String jobName, String hostPort, Map<String, String> labels) {

    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");

    public ScrapeTarget {
        Objects.requireNonNull(jobName, "jobName");
        if (!JOB_NAME.matcher(jobName).matches()) {
            throw new IllegalArgumentException("jobName must be 1-100 characters of [A-Za-z0-9_.:-], got: " + jobName);
        }
        Loopback.requireLoopbackHostPort(hostPort);
        labels = labels == null ? Map.of() : new TreeMap<>(labels);
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey() == null || !LABEL_NAME.matcher(e.getKey()).matches() || e.getKey().startsWith("__")) {
                throw new IllegalArgumentException("invalid label name: " + e.getKey());
            }
            if (e.getKey().equals("job") || e.getKey().equals("instance")) {
                throw new IllegalArgumentException("label '" + e.getKey() + "' is set by Prometheus itself");
            }
            Objects.requireNonNull(e.getValue(), "value of label " + e.getKey());
        }
        labels = java.util.Collections.unmodifiableMap(labels);
    }

    /** A target without extra labels. */
    public static ScrapeTarget of(String jobName, String hostPort) {
        return new ScrapeTarget(jobName, hostPort, Map.of());
    }

    /** A running sample service as a target. */
    public static ScrapeTarget of(String jobName, SampleService service, Map<String, String> labels) {
        return new ScrapeTarget(jobName, service.hostPort(), labels);
    }
}
