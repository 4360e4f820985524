package io.jenkins.plugins.prodgate.gate;

import hudson.AbortException;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The text of a gate file as a step read it, kept in the step's state so that a resumed canary judges by exactly the
 * file it started with, even if the workspace changed or is gone.
 */
public final class GateText implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final String text;

    public GateText(String name, String text) {
        this.name = Objects.requireNonNull(name, "name");
        this.text = Objects.requireNonNull(text, "text");
    }

    /** The name problems are reported under: the workspace path, or {@code configText}. */
    public String name() {
        return name;
    }

    /** Parses the text; problems become one build error listing each field, without a stack trace. */
    public GateFile parse() throws AbortException {
        return parse(Path.of(name));
    }

    /** Parses the text as if it lay at {@code location}, which anchors relative paths in it. */
    public GateFile parse(Path location) throws AbortException {
        try {
            return GateFileLoader.parse(location, text.getBytes(StandardCharsets.UTF_8));
        } catch (GateFileException e) {
            throw new AbortException(e.getMessage());
        }
    }
}
