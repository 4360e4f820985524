package io.prodgate.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Which gate file a gate runs from: its name for messages, its digest for reports and proofs, and the folder that
 * relative paths in it (secret files, commands' working folders) resolve against.
 */
public record GateRef(String name, String digest, Path baseDir) {
    public GateRef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(baseDir, "baseDir");
    }
}
