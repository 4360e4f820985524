package io.prodgate.core.gatefile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.GateFileException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads a gate file (YAML, or JSON, which is YAML too) into a {@link GateFile}, reporting every problem at once.
 *
 * <p>See {@code docs/configuration.md} for the format.
 */
public final class GateFileLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private GateFileLoader() {
    }

    public static GateFile load(Path file) throws GateFileException {
        String name = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw GateFileException.of(name, "", "no such file");
        } catch (IOException e) {
            throw GateFileException.of(name, "", "cannot be read: " + e.getMessage());
        }
        return parse(file, bytes);
    }

    /** Parses the bytes of a gate file; {@code file} names it in problems and anchors relative paths. */
    public static GateFile parse(Path file, byte[] bytes) throws GateFileException {
        String name = file.toString();
        JsonNode tree;
        try {
            tree = YAML.readTree(bytes);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw GateFileException.of(name, "", "is not valid YAML or JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw GateFileException.of(name, "", "cannot be read: " + e.getMessage());
        }
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
        if (!problems.isEmpty()) {
            throw new GateFileException(problems);
        }
        return new GateFile(file, sha256(bytes), prometheus, canary, smoke, rollback);
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
