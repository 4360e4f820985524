package io.prodgate.core.config;

import io.prodgate.core.secret.Redactor;
import io.prodgate.core.secret.Secret;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secrets of one gate run, resolved once, and the masking of every one of them in any text that goes into
 * evidence, reasons or reports. A server may echo request headers back; the mask still holds.
 */
public final class SecretSet {
    private final String gateFile;
    private final Map<String, String> env;
    private final Path baseDir;
    private final List<Secret> secrets = new ArrayList<>();

    public SecretSet(String gateFile, Map<String, String> env, Path baseDir) {
        this.gateFile = gateFile;
        this.env = Map.copyOf(env);
        this.baseDir = baseDir;
    }

    /**
     * Resolves secret headers to their values and remembers them for masking.
     *
     * @throws GateFileException naming the field when an environment variable is unset or cannot be sent in a header
     */
    public synchronized Map<String, Secret> resolve(Map<String, SecretRef> refs) throws GateFileException {
        Map<String, Secret> out = new LinkedHashMap<>();
        for (Map.Entry<String, SecretRef> e : refs.entrySet()) {
            // A header value such as "Bearer X" is masked whole and by its parts: a server may echo only X.
            Secret s = e.getValue().resolveHeaderValue(gateFile, env, baseDir).asHeaderValue();
            secrets.add(s);
            out.put(e.getKey(), s);
        }
        return out;
    }

    /** {@code text} with every known secret replaced by {@code ****} and URL credentials removed. */
    public synchronized String redact(String text) {
        return Redactor.redact(text, secrets);
    }

    /** {@code text} without the {@code user:password@} part of any URL in it. */
    public static String stripUserinfo(String text) {
        return Redactor.stripUserinfo(text);
    }
}
