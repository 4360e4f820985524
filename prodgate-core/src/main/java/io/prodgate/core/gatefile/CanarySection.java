package io.prodgate.core.gatefile;

import io.prodgate.core.canary.CanaryLimits;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.Rollout;
import io.prodgate.core.canary.EvidencePolicy;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.SloSpec;
import io.prodgate.core.canary.ValueCheck;
import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the {@code canary} section: selectors, bake, statistics and the SLOs. */
final class CanarySection {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Map<String, ReasonType> POLICY_KEYS = Map.of(
            "noCanaryData", ReasonType.NO_CANARY_DATA,
            "noBaselineData", ReasonType.NO_BASELINE_DATA,
            "insufficientTraffic", ReasonType.INSUFFICIENT_TRAFFIC,
            "sourceError", ReasonType.SOURCE_ERROR,
            "invalidQueryResult", ReasonType.INVALID_QUERY_RESULT,
            "baselineUnhealthy", ReasonType.BASELINE_UNHEALTHY,
            "noRollbackProof", ReasonType.NO_ROLLBACK_PROOF);

    private CanarySection() {
    }

    static CanarySpec read(ConfigNode n) {
        n.allowOnly("selectors", "bake", "interval", "falseAlarmRate", "detectableRegression", "negligible", "maxDataGap",
                "onMissingEvidence", "rollbackProof", "slos", "steps", "traffic", "onFail", "onInconclusive", "mode");
        boolean advisory = n.choice("mode", "blocking", "blocking", "advisory").equals("advisory");
        ConfigNode sel = n.requireObject("selectors");
        sel.allowOnly("canary", "baseline");
        String canary = sel.requireString("canary");
        String baseline = sel.requireString("baseline");
        if (!canary.isEmpty() && canary.strip().equals(baseline.strip())) {
            sel.problem("baseline", "must differ from selectors.canary, or the gate compares the canary with itself");
        }
        checkSelector(sel, "canary", canary);
        checkSelector(sel, "baseline", baseline);

        Duration interval = n.duration("interval", CanaryLimits.INTERVAL.byDefault(), CanaryLimits.INTERVAL.min(),
                CanaryLimits.INTERVAL.max());
        Optional<Rollout> rollout = rollout(n, interval);
        if (rollout.isPresent() && n.has("bake")) {
            n.problem("bake", "goes with one bake; a canary with steps bakes each step for its own bake (steps[].bake)");
        }
        Duration bake = rollout.isPresent() ? rollout.get().longest()
                : n.duration("bake", CanaryLimits.BAKE.byDefault(), CanaryLimits.BAKE.min(), CanaryLimits.BAKE.max());
        if (interval.compareTo(bake) > 0) {
            n.problem("interval", "must not be longer than the bake (" + Durations.human(bake) + ")");
        } else if (bake.toMillis() / interval.toMillis() > CanaryLimits.MOST_EVALUATIONS) {
            n.problem("interval", "gives more than 10000 evaluations in one bake; make it longer");
        }
        double far = number(n, "falseAlarmRate", CanaryLimits.FALSE_ALARM_RATE);
        double detectable = number(n, "detectableRegression", CanaryLimits.DETECTABLE_REGRESSION);
        // in percent of each SLO's error budget, as objectives and tolerances are written
        double negligible = number(n, "negligible", CanaryLimits.NEGLIGIBLE_PERCENT_OF_BUDGET) / 100;
        // A gap as long as the bake would let a source that died early pass the bake unobserved: the default
        // shrinks to fit under short bakes, and a given one must be shorter than the bake.
        Duration gapDefault = CanarySpec.defaultMaxDataGap(bake, interval);
        Duration gap = n.duration("maxDataGap", gapDefault, CanaryLimits.MAX_DATA_GAP.min(), CanaryLimits.MAX_DATA_GAP.max());
        if (gap.compareTo(interval) < 0) {
            n.problem("maxDataGap", "must be at least the interval (" + Durations.human(interval) + ")");
        } else if (n.has("maxDataGap") && gap.compareTo(bake) >= 0) {
            n.problem("maxDataGap", "must be shorter than the bake (" + Durations.human(bake) + "), or missing "
                    + "evidence could go unnoticed for the whole bake");
        }

        EvidencePolicy policy = n.object("onMissingEvidence").map(CanarySection::policy)
                .orElse(EvidencePolicy.inconclusive());
        boolean requireProof = false;
        Duration proofAge = CanaryLimits.PROOF_AGE.byDefault();
        Optional<ConfigNode> proof = n.object("rollbackProof");
        if (proof.isPresent()) {
            proof.get().allowOnly("required", "maxAge");
            requireProof = proof.get().bool("required", false);
            proofAge = proof.get().duration("maxAge", CanaryLimits.PROOF_AGE.byDefault(), CanaryLimits.PROOF_AGE.min(),
                    CanaryLimits.PROOF_AGE.max());
        }

        List<SloSpec> slos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<ConfigNode> items = n.list("slos");
        if (items.isEmpty() && !n.has("slos")) {
            n.problem("slos", "is required: at least one SLO to judge the canary on");
        } else if (items.isEmpty()) {
            n.problem("slos", "must list at least one SLO");
        }
        List<String> dryRun = new ArrayList<>();
        for (ConfigNode item : items) {
            if (!item.isObject()) {
                item.problem("must be a mapping with name, and bad/good + total, or query");
                continue;
            }
            SloSpec slo = slo(item, names);
            if (slo != null) {
                slos.add(slo);
                if (item.bool("dryRun", false)) {
                    dryRun.add(slo.name());
                }
            }
        }
        if (!slos.isEmpty() && dryRun.size() == slos.size()) {
            n.problem("slos", "are all dryRun: true, so nothing would decide the verdict; at least one SLO must not be "
                    + "a dry run");
        }
        if (slos.isEmpty() || dryRun.size() == slos.size() || canary.isEmpty() || baseline.isEmpty()) {
            return null; // problems were recorded; the loader throws before this is used
        }
        try {
            CanarySpec.Builder spec = CanarySpec.builder().selectors(canary, baseline).bake(bake).interval(interval)
                    .falseAlarmRate(far).detectableRegression(detectable).negligibleShare(negligible).maxDataGap(gap)
                    .slos(slos).policy(policy).rollbackProof(requireProof, proofAge).dryRunSlos(dryRun)
                    .advisory(advisory);
            rollout.ifPresent(spec::rollout);
            return spec.build();
        } catch (IllegalArgumentException e) {
            n.problem(e.getMessage());
            return null;
        }
    }

    /**
     * What a live canary run does after its verdict: {@code canary.onFail} and {@code canary.onInconclusive}
     * ({@code rollback} or {@code none}), with the rollback section's {@code restoreWithin}.
     */
    static Remediation remediation(ConfigNode canary, Optional<ConfigNode> rollback) {
        boolean onFail = canary.choice("onFail", "none", "none", "rollback").equals("rollback");
        boolean onInconclusive = canary.choice("onInconclusive", "none", "none", "rollback").equals("rollback");
        if ((onFail || onInconclusive) && rollback.isEmpty()) {
            canary.problem(onFail ? "onFail" : "onInconclusive", "rollback needs a rollback section: the same one "
                    + "prodgate rollback rehearses");
        }
        Duration within = rollback.map(r -> r.duration("restoreWithin", Remediation.DEFAULT_RESTORE_WITHIN,
                Duration.ofSeconds(1), Duration.ofHours(24))).orElse(Remediation.DEFAULT_RESTORE_WITHIN);
        return new Remediation(onFail, onInconclusive, within);
    }

    /**
     * The steps of a progressive canary and how a shift is verified: {@code steps} (weights in percent, increasing,
     * each with its bake) and {@code traffic} ({@code settle}, {@code tolerance}).
     */
    private static Optional<Rollout> rollout(ConfigNode n, Duration interval) {
        if (!n.has("steps")) {
            if (n.has("traffic")) {
                n.problem("traffic", "goes with steps: a canary without steps bakes at whatever weight it has");
            }
            return Optional.empty();
        }
        List<ConfigNode> items = n.list("steps");
        if (items.isEmpty()) {
            n.problem("steps", "must list at least one step, e.g. - { weight: 1%, bake: 10m }");
            return Optional.empty();
        }
        List<Rollout.Step> steps = new ArrayList<>();
        double previous = 0;
        boolean ok = true;
        for (ConfigNode item : items) {
            if (!item.isObject()) {
                item.problem("must be a mapping with weight and bake, e.g. { weight: 10%, bake: 10m }");
                ok = false;
                continue;
            }
            item.allowOnly("weight", "bake");
            if (!item.has("weight")) {
                item.problem("weight", "is required: the canary's share of traffic in this step, e.g. 10%");
                ok = false;
                continue;
            }
            double weight = item.number("weight").orElse(Double.NaN);
            Duration bake = item.has("bake") ? item.duration("bake", CanaryLimits.BAKE.byDefault(),
                    CanaryLimits.BAKE.min(), CanaryLimits.BAKE.max()) : null;
            if (bake == null) {
                item.problem("bake", "is required: how long this step must hold once its shift is seen, e.g. 10m");
                ok = false;
            } else if (bake.compareTo(interval) < 0) {
                item.problem("bake", "must be at least the interval (" + Durations.human(interval) + ")");
                ok = false;
            }
            if (Double.isNaN(weight)) {
                ok = false;
            } else if (!(weight > 0 && weight <= 100)) {
                item.problem("weight", "must be more than 0 % and at most 100 %, got " + Numbers.value(weight));
                ok = false;
            } else if (!(weight > previous)) {
                item.problem("weight", "must be more than the step before's (" + Numbers.value(previous) + " %): "
                        + "a rollout only goes up");
                ok = false;
            } else {
                previous = weight;
            }
            if (ok) {
                steps.add(new Rollout.Step(weight / 100, bake));
            }
        }
        Duration settle = Rollout.DEFAULT_SETTLE;
        double tolerance = Rollout.DEFAULT_TOLERANCE;
        Optional<ConfigNode> traffic = n.object("traffic");
        if (traffic.isPresent()) {
            traffic.get().allowOnly("set", "settle", "tolerance");
            settle = traffic.get().duration("settle", Rollout.DEFAULT_SETTLE, CanaryLimits.INTERVAL.min(),
                    Duration.ofHours(1));
            if (settle.compareTo(interval) < 0) {
                traffic.get().problem("settle", "must be at least the interval (" + Durations.human(interval)
                        + "): a shift is seen in a window's traffic");
                ok = false;
            }
            tolerance = traffic.get().numberIn("tolerance", 1, 90, Rollout.DEFAULT_TOLERANCE * 100) / 100;
        }
        if (!ok) {
            return Optional.empty();
        }
        Rollout rollout = new Rollout(steps, settle, tolerance);
        if (rollout.longest().toMillis() / interval.toMillis() > CanaryLimits.MOST_EVALUATIONS) {
            n.problem("steps", "give more than " + CanaryLimits.MOST_EVALUATIONS + " evaluations in all; make the "
                    + "interval longer");
            return Optional.empty();
        }
        return Optional.of(rollout);
    }

    private static SloSpec slo(ConfigNode n, Set<String> names) {
        String name = n.requireString("name");
        if (!name.isEmpty() && !names.add(name)) {
            n.problem("name", "'" + name + "' is used by another SLO; names must be unique");
        }
        String type = n.choice("type", n.has("query") ? "value" : "ratio", "ratio", "value");
        if (type.equals("value")) {
            n.allowOnly("name", "type", "query", "min", "max", "consecutive", "dryRun");
            String query = n.requireString("query");
            checkTemplate(n, "query", query, false);
            OptionalDouble min = n.number("min").map(OptionalDouble::of).orElse(OptionalDouble.empty());
            OptionalDouble max = n.number("max").map(OptionalDouble::of).orElse(OptionalDouble.empty());
            if (min.isEmpty() && max.isEmpty()) {
                n.problem("needs min, max or both");
            }
            if (min.isPresent() && max.isPresent() && min.getAsDouble() > max.getAsDouble()) {
                n.problem("min", "must not be greater than max");
            }
            int consecutive = n.integerIn("consecutive", 1, 1000, 2);
            if (name.isEmpty() || query.isEmpty() || (min.isEmpty() && max.isEmpty())) {
                return null;
            }
            return new ValueCheck(name, query, min, max, consecutive);
        }
        n.allowOnly("name", "type", "bad", "good", "total", "objective", "tolerance", "dryRun");
        boolean hasBad = n.has("bad");
        boolean hasGood = n.has("good");
        if (hasBad == hasGood) {
            n.problem(hasBad ? "good" : "bad", hasBad ? "give bad or good, not both" : "is required (or good)");
        }
        String events = hasBad ? n.requireString("bad") : hasGood ? n.requireString("good") : "";
        String total = n.requireString("total");
        checkTemplate(n, hasBad ? "bad" : "good", events, true);
        checkTemplate(n, "total", total, true);
        if (!n.has("objective")) {
            n.problem("objective", "is required, in percent of good events, e.g. 99.9");
        }
        double objective = number(n, "objective", CanaryLimits.OBJECTIVE_PERCENT) / 100;
        double tolerance = number(n, "tolerance", CanaryLimits.TOLERANCE_PERCENT) / 100;
        if (name.isEmpty() || events.isEmpty() || total.isEmpty()) {
            return null;
        }
        return new RatioSlo(name, events, hasGood, total, objective, tolerance);
    }

    private static EvidencePolicy policy(ConfigNode n) {
        n.allowOnly(POLICY_KEYS.keySet().toArray(String[]::new));
        Map<ReasonType, Verdict> verdicts = new EnumMap<>(ReasonType.class);
        POLICY_KEYS.forEach((key, type) -> {
            if (n.has(key)) {
                String v = n.choice(key, "inconclusive", "inconclusive", "fail");
                verdicts.put(type, v.equals("fail") ? Verdict.FAIL : Verdict.INCONCLUSIVE);
            }
        });
        return new EvidencePolicy(verdicts);
    }

    private static void checkSelector(ConfigNode n, String field, String selector) {
        if (selector.isEmpty()) {
            return;
        }
        String s = selector.strip();
        if (s.startsWith("{") || s.endsWith("}")) {
            n.problem(field, "write the label matchers without braces, e.g. app=\"checkout\",track=\"canary\"");
        } else if (!s.matches("(?s)\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*(=|!=|=~|!~)\\s*\".*")) {
            n.problem(field, "must be PromQL label matchers such as app=\"checkout\",track=\"canary\", got '" + s + "'");
        }
    }

    private static void checkTemplate(ConfigNode n, String field, String template, boolean needsWindow) {
        if (template.isEmpty()) {
            return;
        }
        Matcher m = PLACEHOLDER.matcher(template);
        Set<String> seen = new HashSet<>();
        while (m.find()) {
            String p = m.group(1);
            if (!p.equals("selector") && !p.equals("window")) {
                n.problem(field, "unknown placeholder ${" + p + "}; templates know ${selector} and ${window}");
            }
            seen.add(p);
        }
        if (!seen.contains("selector")) {
            n.problem(field, "must use ${selector}, or canary and baseline would read the same series");
        }
        if (needsWindow && !seen.contains("window")) {
            n.problem(field, "must use ${window} (e.g. increase(...[${window}])) so each evaluation counts its own events");
        }
    }


    private static double number(ConfigNode n, String field, CanaryLimits.Range range) {
        return n.numberIn(field, range.min(), range.max(), range.byDefault());
    }
}
