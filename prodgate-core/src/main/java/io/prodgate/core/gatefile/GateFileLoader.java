package io.prodgate.core.gatefile;

import com.fasterxml.jackson.databind.JsonNode;
import io.prodgate.core.action.Action;
import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.GateFileException.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a gate file (YAML, or JSON, which is YAML too) into a {@link GateFile}, reporting every problem at once.
 *
 * <p>See {@code docs/configuration.md} for the format.
 */
public final class GateFileLoader {
    /** The variable of {@code canary.traffic.set}: the step's weight in percent, e.g. {@code 10}. */
    public static final String TRAFFIC_WEIGHT = "weight";
    /**
     * The largest gate file read: real ones are a few KiB, and parsing time grows with size, so a runaway file (a
     * generated one, a log written by mistake) gets a clear error instead of minutes of parsing on a CI controller.
     */
    public static final int MAX_BYTES = 1024 * 1024;

    private GateFileLoader() {
    }

    public static GateFile load(Path file) throws GateFileException {
        String name = file.toString();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // Read at most one byte past the cap: the file may be a pipe, or grow while we read it.
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw GateFileException.of(name, "", "no such file");
        } catch (AccessDeniedException e) {
            throw GateFileException.of(name, "", "cannot be read: permission denied");
        } catch (IOException e) {
            throw GateFileException.of(name, "", "cannot be read: " + e.getMessage());
        }
        return parse(file, bytes);
    }

    /**
     * Parses gate-file text, e.g. given inline to a CI step; {@code file} names it in problems and anchors relative
     * paths. The size cap holds for text as for files.
     */
    public static GateFile parse(Path file, String text) throws GateFileException {
        // A char is at least one UTF-8 byte: refuse the over-long before encoding it.
        if (text.length() > MAX_BYTES) {
            throw tooLarge(file.toString());
        }
        return parse(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses the bytes of a gate file; {@code file} names it in problems and anchors relative paths. */
    public static GateFile parse(Path file, byte[] bytes) throws GateFileException {
        String name = file.toString();
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(name);
        }
        JsonNode tree = YamlTree.read(name, bytes);
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw GateFileException.of(name, "", "is empty");
        }
        if (!tree.isObject()) {
            throw GateFileException.of(name, "", "must be a mapping with sections such as prometheus and canary");
        }
        List<Problem> problems = new ArrayList<>();
        ConfigNode root = ConfigNode.root(name, tree, problems);
        root.allowOnly("version", "prometheus", "canary", "smoke", "rollback");
        root.string("version").ifPresent(v -> {
            if (!v.equals("1")) {
                root.problem("version", "only version 1 is known, got '" + v + "'");
            }
        });
        var prometheus = root.object("prometheus").map(PrometheusSection::read);
        var canary = root.object("canary").map(CanarySection::read);
        var smoke = root.object("smoke").map(SmokeSection::read);
        var rollback = root.object("rollback").map(RollbackSection::read);
        Remediation remediation = root.object("canary").map(c -> CanarySection.remediation(c, root.object("rollback")))
                .orElse(Remediation.none());
        if (!root.has("prometheus")) {
            // The rollback gate has no --prometheus option: without the section it could only refuse to run.
            rollback.ifPresent(r -> RollbackSection.requirePrometheus(root, r));
        }
        if (!problems.isEmpty()) {
            throw new GateFileException(problems);
        }
        Optional<ConfigNode> trafficSet = root.object("canary").flatMap(c -> c.object("traffic"))
                .flatMap(t -> t.object("set"));
        Optional<Action> traffic = trafficSet.map(set -> ActionFields.read(set, Set.of(TRAFFIC_WEIGHT)));
        if (traffic.isPresent() && traffic.get() instanceof Action.Http h && !h.request().url().contains("://")) {
            // the canary section has no target to resolve it against, unlike smoke and rollback
            trafficSet.get().object("http").ifPresent(n -> n.problem("url", "must be an absolute URL (the load "
                    + "balancer's or mesh's admin API): the canary section has no target to resolve it against"));
        }
        canary.filter(c -> c.rollout().isPresent() && c.ratioSlos().isEmpty()).ifPresent(c -> root.object("canary")
                .get().problem("steps", "need a ratio SLO: its total queries measure the canary's share of "
                        + "traffic, which each step's shift is verified by"));
        if (!problems.isEmpty()) {
            throw new GateFileException(problems);
        }
        return new GateFile(file, sha256(bytes), prometheus, canary, smoke, rollback, remediation, traffic);
    }

    private static GateFileException tooLarge(String name) {
        return GateFileException.of(name, "", "is larger than " + MAX_BYTES / 1024 + " KiB, the most a gate file may"
                + " be; is it the right file?");
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
