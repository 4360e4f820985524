package io.prodgate.core.gatefile;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a gate file into a test's folder and loads it, as the CLI would. */
public final class GateFiles {
    private GateFiles() {
    }

    public static Path write(Path dir, String yaml) {
        try {
            Path f = dir.resolve("gate.yaml");
            Files.writeString(f, yaml, StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GateFile load(Path dir, String yaml) {
        try {
            return GateFileLoader.load(write(dir, yaml));
        } catch (GateFileException e) {
            throw new AssertionError("gate file should load:\n" + e.getMessage(), e);
        }
    }
}
