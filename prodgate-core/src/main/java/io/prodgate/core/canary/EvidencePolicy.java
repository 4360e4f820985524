package io.prodgate.core.canary;

import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the gate answers when the evidence is missing or unusable: INCONCLUSIVE by default, FAIL where a team prefers
 * to fail closed. Missing evidence is never a PASS, whatever the policy.
 */
public record EvidencePolicy(Map<ReasonType, Verdict> verdicts) {
    public EvidencePolicy {
        EnumMap<ReasonType, Verdict> copy = new EnumMap<>(ReasonType.class);
        copy.putAll(verdicts);
        copy.values().forEach(v -> {
            if (v == Verdict.PASS) {
                throw new IllegalArgumentException("missing evidence is never a PASS");
            }
        });
        verdicts = Map.copyOf(copy);
    }

    public static EvidencePolicy inconclusive() {
        return new EvidencePolicy(Map.of());
    }

    /** The verdict for a reason of missing evidence. */
    public Verdict verdictFor(ReasonType type) {
        return verdicts.getOrDefault(type, Verdict.INCONCLUSIVE);
    }
}
