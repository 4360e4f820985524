package io.prodgate.core.config;

import io.prodgate.core.secret.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where a secret lives: an environment variable or a file. Gate files name the place, never the value, so a gate file
 * can be committed and printed.
 *
 * @param field the gate-file field that named it, for error messages
 */
public record SecretRef(Kind kind, String name, String field) {
    public enum Kind { ENV, FILE }

    public SecretRef {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(field, "field");
    }

    /**
     * Reads the secret. {@code baseDir} resolves relative file names (the gate file's folder).
     *
     * @throws GateFileException naming the field when the variable is unset or the file unreadable
     */
    public Secret resolve(String gateFile, Map<String, String> env, Path baseDir) throws GateFileException {
        if (kind == Kind.ENV) {
            String v = env.get(name);
            if (v == null || v.isEmpty()) {
                throw GateFileException.of(gateFile, field, "environment variable " + name + " is not set");
            }
            return Secret.of(v, "env " + name);
        }
        Path p = baseDir.resolve(name);
        try {
            String v = Files.readString(p, StandardCharsets.UTF_8).strip();
            if (v.isEmpty()) {
                throw GateFileException.of(gateFile, field, "secret file " + p + " is empty");
            }
            return Secret.of(v, "file " + p);
        } catch (IOException e) {
            throw GateFileException.of(gateFile, field, "cannot read secret file " + p + ": " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return (kind == Kind.ENV ? "env " : "file ") + name;
    }
}
