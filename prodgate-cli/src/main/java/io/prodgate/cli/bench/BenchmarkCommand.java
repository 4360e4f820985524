package io.prodgate.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.cli.CommandLineUrls;
import io.prodgate.cli.UsageException;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.BakeStates;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.PrometheusEvidence;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.prometheus.PrometheusClient;
import io.prodgate.core.prometheus.Sleeper;
import io.prodgate.core.run.BakeListener;
import io.prodgate.core.run.CanaryOverrides;
import io.prodgate.core.run.CanaryRun;
import io.prodgate.core.run.RunContext;
import io.prodgate.core.util.Json;
import io.prodgate.core.verdict.ProofRequirement;
import io.prodgate.core.verdict.Verdict;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.math3.distribution.NormalDistribution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Replays the canary gate over a scenario corpus with known ground truth (../shared/scenarios) and prints the scores
 * that corpus defines: bad promotions, false alarms, overconfident passes, time to FAIL, accuracy; plus speed.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score the canary judge on a scenario corpus served by a Prometheus (see docs/benchmark.md).")
public final class BenchmarkCommand implements Callable<Integer> {
    @Option(names = "--corpus", paramLabel = "DIR", description = "Corpus folder: truth.jsonl, manifest.json.")
    Path corpus;

    @Option(names = "--prometheus", paramLabel = "URL", description = "The Prometheus serving the corpus.")
    String prometheusUrl;

    @Option(names = "--config", paramLabel = "FILE", description = "The gate file to replay.")
    Path config;

    @Option(names = "--reports", description = "Instead: time the canary reports of 30-, 480- and 1,440-evaluation "
            + "bakes (no corpus needed).")
    boolean reports;

    @Option(names = "--threads", defaultValue = "4", description = "Scenarios replayed at once (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--verbose", description = "A line per scenario.")
    boolean verbose;

    @Option(names = "--label", paramLabel = "TEXT", description = "Names this run in its summary row, e.g. the seed.")
    String label = "";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The corpus' latency SLI: a request slower than this is bad. */
    private double slowSeconds;

    /** One scenario's ground truth and the gate's answer. */
    record Outcome(String scenario, String regime, List<String> expect, String soft, String evidence, Long onset,
                   double regression, Verdict verdict, Instant decidedAt, String reason, int stateBytes) {
        boolean correct() {
            return expect.contains(verdict.name());
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (reports) {
            ReportBenchmark.run(out);
            return 0;
        }
        if (corpus == null || prometheusUrl == null || config == null) {
            throw new UsageException("prodgate benchmark: give --corpus, --prometheus and --config "
                    + "(or --reports)");
        }
        ObjectMapper json = Json.MAPPER;
        JsonNode manifest = json.readTree(corpus.resolve("manifest.json").toFile());
        Instant from = Instant.ofEpochSecond(manifest.get("t0").asLong());
        Instant to = from.plusSeconds(manifest.get("bake_seconds").asLong());
        slowSeconds = manifest.path("slow_seconds").asDouble(0.5);
        GateFile gate = GateFileLoader.load(config);
        CanarySpec base = gate.requireCanary();
        String problem = CommandLineUrls.problem(prometheusUrl, "the corpus' Prometheus needs none");
        if (problem != null) {
            throw new UsageException("prodgate benchmark: --prometheus " + problem);
        }
        List<JsonNode> truths = new ArrayList<>();
        for (String line : Files.readAllLines(corpus.resolve("truth.jsonl"))) {
            if (!line.isBlank()) {
                truths.add(json.readTree(line));
            }
        }
        long started = System.nanoTime();
        List<Outcome> outcomes = new ArrayList<>();
        int[] evaluations = {0};
        try (PrometheusClient client = PrometheusClient.builder().baseUrl(prometheusUrl)
                .timeout(Duration.ofSeconds(30)).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
            try {
                List<Future<Outcome>> futures = new ArrayList<>();
                for (JsonNode t : truths) {
                    futures.add(pool.submit(() -> replay(t, gate, client, from, to, evaluations)));
                }
                for (Future<Outcome> f : futures) {
                    Outcome o = f.get();
                    outcomes.add(o);
                    if (verbose) {
                        out.printf(Locale.ROOT, "%-32s %-13s %-12s expect %-24s %s%n", o.scenario(), o.verdict(),
                                o.correct() ? "ok" : "WRONG", o.expect(), o.reason());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        print(out, outcomes, seconds, evaluations[0], base.detectableRegression(), label);
        return 0;
    }

    private Outcome replay(JsonNode t, GateFile gate, PrometheusClient client, Instant from, Instant to,
                           int[] evaluations) throws Exception {
        String name = t.get("scenario").asText();
        // each scenario's own series, replayed over the corpus' window; the corpus holds no rollback proofs
        CanaryRun run = CanaryRun.of(gate, CanaryOverrides.none()
                .withSelectors("scenario=\"" + name + "\",track=\"canary\"", "scenario=\"" + name + "\",track=\"stable\"")
                .withReplay(new CanaryOverrides.Window(from, to)));
        CanaryRun.Bake bake = run.bake(RunContext.builder().build(), new PrometheusEvidence(client),
                ProofRequirement.none());
        BakeState done = bake.run(bake.start(), Sleeper.SYSTEM, CanaryRun.StateStore.NONE, BakeListener.SILENT);
        synchronized (evaluations) {
            evaluations[0] += done.evaluations().size();
        }
        List<String> expect = new ArrayList<>();
        t.get("expect").forEach(e -> expect.add(e.asText()));
        String soft = t.get("soft").isNull() ? null : t.get("soft").asText();
        Long onset = t.get("onset").isNull() ? null : t.get("onset").asLong();
        String reason = done.decision().reasons().isEmpty() ? "" : done.decision().reasons().get(0).type().name();
        return new Outcome(name, t.get("regime").asText(), expect, soft, t.get("evidence").asText(), onset,
                regression(t.get("params"), slowSeconds), done.decision().verdict(), done.decision().decidedAt(), reason,
                BakeStates.toJson(done).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    /**
     * How many times worse than its baseline the canary's worst SLI is, from the scenario's parameters: the error
     * multiple, or the ratio of slow-request shares under a log-normal latency (the corpus' own model).
     */
    static double regression(JsonNode params, double slowSeconds) {
        double errors = params.path("err_factor").asDouble(1);
        double median = params.path("median").asDouble(0.1);
        double sigma = params.path("sigma").asDouble(0.7);
        double slower = params.path("lat_mult").asDouble(1);
        double latency = slowShare(median * slower, sigma, slowSeconds) / slowShare(median, sigma, slowSeconds);
        return Math.max(errors, latency);
    }

    private static double slowShare(double median, double sigma, double slowSeconds) {
        return 1 - new NormalDistribution().cumulativeProbability((Math.log(slowSeconds) - Math.log(median)) / sigma);
    }

    static void print(PrintWriter out, List<Outcome> outcomes, double seconds, int evaluations, double detectable,
                      String label) {
        int badPromotions = 0;
        int mustNotFail = 0;
        int falseAlarms = 0;
        int overconfident = 0;
        int worsePasses = 0;
        int correct = 0;
        List<Double> ttf = new ArrayList<>();
        int expectFail = 0;
        Map<String, int[]> byRegime = new TreeMap<>();
        for (Outcome o : outcomes) {
            boolean pass = o.verdict() == Verdict.PASS;
            boolean fail = o.verdict() == Verdict.FAIL;
            if (pass && !o.expect().contains("PASS")) {
                badPromotions++;
            }
            if (!o.expect().contains("FAIL")) {
                mustNotFail++;
                if (fail) {
                    falseAlarms++;
                }
            }
            if (pass && "PASS".equals(o.soft())) {
                overconfident++;
            }
            if (pass && o.regression() >= detectable) {
                worsePasses++;
            }
            if (o.correct()) {
                correct++;
            }
            if (o.expect().equals(List.of("FAIL"))) {
                expectFail++;
                if (fail && o.onset() != null) {
                    ttf.add((o.decidedAt().getEpochSecond() - o.onset()) / 60.0);
                }
            }
            int[] r = byRegime.computeIfAbsent(o.regime(), k -> new int[4]);
            r[0]++;
            r[1] += o.correct() ? 1 : 0;
            r[2] += pass ? 1 : 0;
            r[3] += fail ? 1 : 0;
        }
        ttf.sort(Double::compare);
        out.println();
        out.printf(Locale.ROOT, "%-22s %9s %8s %6s %6s%n", "regime", "scenarios", "correct", "PASS", "FAIL");
        byRegime.forEach((k, r) -> out.printf(Locale.ROOT, "%-22s %9d %8d %6d %6d%n", k, r[0], r[1], r[2], r[3]));
        out.println();
        out.printf(Locale.ROOT, "bad promotions:        %d (PASS where PASS is not acceptable)%n", badPromotions);
        out.printf(Locale.ROOT, "false alarms:          %d of %d (%.1f %%) scenarios that must not fail%n", falseAlarms,
                mustNotFail, mustNotFail == 0 ? 0 : 100.0 * falseAlarms / mustNotFail);
        out.printf(Locale.ROOT, "overconfident passes:  %d (PASS on thin evidence)%n", overconfident);
        out.printf(Locale.ROOT, "worse, yet PASS:       %d (PASS of a canary at least %s its baseline's bad ratio)%n",
                worsePasses, detectable + "x");
        if (ttf.isEmpty()) {
            out.printf(Locale.ROOT, "time to FAIL:          no FAIL among %d scenarios that must fail%n", expectFail);
        } else {
            out.printf(Locale.ROOT, "time to FAIL:          median %.1f min, worst %.1f min (%d of %d that must fail)%n",
                    median(ttf), ttf.get(ttf.size() - 1), ttf.size(), expectFail);
        }
        out.printf(Locale.ROOT, "accuracy:              %.1f %% (%d of %d verdicts acceptable)%n",
                100.0 * correct / Math.max(1, outcomes.size()), correct, outcomes.size());
        out.printf(Locale.ROOT, "speed:                 %d evaluations in %.1f s (%.0f per second, Prometheus included)%n",
                evaluations, seconds, evaluations / Math.max(1e-9, seconds));
        out.printf(Locale.ROOT, "summary row:           | %s | %d | %d | %d of %d | %d | %s | %.1f %% |%n", label,
                badPromotions, worsePasses, falseAlarms, mustNotFail, overconfident,
                ttf.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f / %.1f min", median(ttf), ttf.get(ttf.size() - 1)),
                100.0 * correct / Math.max(1, outcomes.size()));
        int largest = outcomes.stream().mapToInt(Outcome::stateBytes).max().orElse(0);
        Runtime rt = Runtime.getRuntime();
        out.printf(Locale.ROOT, "memory:                largest bake state %.1f KB as JSON; heap in use after the run %.0f MB%n",
                largest / 1024.0, (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
