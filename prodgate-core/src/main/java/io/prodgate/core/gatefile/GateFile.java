package io.prodgate.core.gatefile;

import io.prodgate.core.action.Action;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.GateRef;
import io.prodgate.core.config.PrometheusSettings;
import io.prodgate.core.config.SecretRef;
import io.prodgate.core.http.HttpRequestSpec;
import io.prodgate.core.rollback.RollbackSpec;
import io.prodgate.core.secret.Secret;
import io.prodgate.core.smoke.SmokeSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded, validated gate file. Each gate reads its own section; a file may hold any of them.
 *
 * @param source the file it was read from (relative paths in it resolve against its folder)
 * @param digest      SHA-256 of the file's bytes, recorded in reports, bake state and rollback proofs
 * @param remediation what a live canary run does after its verdict ({@code canary.onFail}, {@code onInconclusive})
 * @param traffic     a progressive canary's traffic action ({@code canary.traffic.set}), with {@code ${weight}} in it
 */
public record GateFile(Path source, String digest, Optional<PrometheusSettings> prometheus,
                       Optional<CanarySpec> canary, Optional<SmokeSpec> smoke, Optional<RollbackSpec> rollback,
                       Remediation remediation, Optional<Action> traffic) {
    public GateFile {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(prometheus, "prometheus");
        Objects.requireNonNull(canary, "canary");
        Objects.requireNonNull(smoke, "smoke");
        Objects.requireNonNull(rollback, "rollback");
        Objects.requireNonNull(remediation, "remediation");
        Objects.requireNonNull(traffic, "traffic");
    }

    public String name() {
        return source.toString();
    }

    /** Which file this is, as the gates record it. */
    public GateRef ref() {
        return new GateRef(name(), digest, baseDir());
    }

    public Path baseDir() {
        Path parent = source.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }

    /** Every secret the file refers to, and whether it is sent as an HTTP header value. */
    public List<SecretUse> secretUses() {
        List<SecretUse> out = new ArrayList<>();
        prometheus.ifPresent(p -> {
            p.bearerToken().ifPresent(r -> out.add(new SecretUse(r, true)));
            p.password().ifPresent(r -> out.add(new SecretUse(r, false)));
        });
        List<HttpRequestSpec> requests = new ArrayList<>();
        smoke.ifPresent(s -> requests.addAll(s.requests()));
        rollback.ifPresent(r -> requests.addAll(r.requests()));
        traffic.ifPresent(a -> {
            if (a instanceof Action.Http h) {
                requests.add(h.request());
            }
        });
        for (HttpRequestSpec r : requests) {
            r.secretHeaders().values().forEach(ref -> out.add(new SecretUse(ref, true)));
        }
        return out;
    }

    /** A secret reference and how it is used, which decides what its value may hold. */
    public record SecretUse(SecretRef ref, boolean inHeader) {
        /** Resolves the secret as the gates will when they run; see {@link SecretRef#resolve}. */
        public Secret resolve(String gateFile, Map<String, String> env, Path baseDir) throws GateFileException {
            return inHeader ? ref.resolveHeaderValue(gateFile, env, baseDir) : ref.resolve(gateFile, env, baseDir);
        }
    }

    /** The canary section, or a gate-file error saying it is missing. */
    public CanarySpec requireCanary() throws GateFileException {
        return canary.orElseThrow(() -> GateFileException.of(name(), "canary", "is required for the canary gate"));
    }

    /** The smoke section, or a gate-file error saying it is missing. */
    public SmokeSpec requireSmoke() throws GateFileException {
        return smoke.orElseThrow(() -> GateFileException.of(name(), "smoke", "is required for the smoke gate"));
    }

    /** The rollback section, or a gate-file error saying it is missing. */
    public RollbackSpec requireRollback() throws GateFileException {
        return rollback.orElseThrow(() -> GateFileException.of(name(), "rollback",
                "is required to prove the rollback"));
    }

    /** The Prometheus section, or a gate-file error saying it is missing. */
    public PrometheusSettings requirePrometheus() throws GateFileException {
        return prometheus.orElseThrow(() -> GateFileException.of(name(), "prometheus",
                "is required (or pass --prometheus URL)"));
    }
}
