package io.prodgate.core.config;

import io.prodgate.core.secret.Secret;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
     * @throws GateFileException naming the field when the variable is unset, the file unreadable, or the value holds
     *                           a line break or control character (which no header or password can carry)
     */
    public Secret resolve(String gateFile, Map<String, String> env, Path baseDir) throws GateFileException {
        Secret s = read(gateFile, env, baseDir);
        // Never quote the value: say where it came from and what is wrong with it.
        var problem = HeaderRules.secretProblem(s.reveal());
        if (problem.isPresent()) {
            throw GateFileException.of(gateFile, field, "the secret from " + s.origin() + " " + problem.get());
        }
        return s;
    }

    /**
     * Reads a secret that is sent as (part of) an HTTP header value, such as a bearer token.
     *
     * @throws GateFileException as {@link #resolve}, and when the value cannot be sent in a header
     */
    public Secret resolveHeaderValue(String gateFile, Map<String, String> env, Path baseDir) throws GateFileException {
        Secret s = resolve(gateFile, env, baseDir);
        var problem = HeaderRules.valueProblem(s.reveal());
        if (problem.isPresent()) {
            throw GateFileException.of(gateFile, field, "the secret from " + s.origin() + " " + problem.get());
        }
        return s;
    }

    /** Whether the variable is set or the file exists: if not, the secret is only missing here, not wrong. */
    public boolean isAvailable(Map<String, String> env, Path baseDir) {
        if (kind == Kind.ENV) {
            String v = env.get(name);
            return v != null && !v.isEmpty();
        }
        return Files.exists(baseDir.resolve(name));
    }

    private Secret read(String gateFile, Map<String, String> env, Path baseDir) throws GateFileException {
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
        } catch (NoSuchFileException e) {
            throw GateFileException.of(gateFile, field, "secret file " + p + " does not exist");
        } catch (AccessDeniedException e) {
            throw GateFileException.of(gateFile, field, "cannot read secret file " + p + ": permission denied");
        } catch (CharacterCodingException e) {
            throw GateFileException.of(gateFile, field, "secret file " + p + " is not UTF-8 text");
        } catch (IOException e) {
            throw GateFileException.of(gateFile, field, "cannot read secret file " + p + ": "
                    + (e.getMessage() == null ? "I/O error" : e.getMessage()));
        }
    }

    @Override
    public String toString() {
        return (kind == Kind.ENV ? "env " : "file ") + name;
    }
}
