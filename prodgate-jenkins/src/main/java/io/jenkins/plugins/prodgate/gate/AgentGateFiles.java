package io.jenkins.plugins.prodgate.gate;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.AbortException;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.run.FileSink;
import io.prodgate.core.util.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/** Gate files and reports on the agent, relative to the workspace. Runs inside agent callables. */
public final class AgentGateFiles {
    private AgentGateFiles() {}

    /**
     * Loads the gate file: {@code config} relative to the workspace, or {@code configText} as if it lay in the
     * workspace (so relative paths in it, such as command working directories, resolve there).
     */
    public static GateFile load(File workspace, @CheckForNull String config, @CheckForNull String configText)
            throws AbortException {
        if (config != null && configText != null) {
            throw new AbortException(Messages.AgentGateFiles_ConfigOrText());
        }
        if (configText != null) {
            return new GateText("configText", configText)
                    .parse(workspace.toPath().resolve("configText"));
        }
        if (config == null) {
            throw new AbortException(Messages.AgentGateFiles_NoConfig());
        }
        try {
            return GateFileLoader.load(workspace.toPath().resolve(config));
        } catch (GateFileException e) {
            throw new AbortException(e.getMessage());
        }
    }

    /** The workspace as where a core run's files land: relative paths resolve in it, and none may leave it. */
    public static FileSink sink(File workspace) {
        return (file, content) -> write(workspace, file.toString(), content);
    }

    /** Writes {@code text} to {@code relative} under the workspace, creating folders; returns the file. */
    public static Path write(File workspace, String relative, String text) throws IOException {
        Path file = workspace.toPath().resolve(relative).normalize();
        if (!file.startsWith(workspace.toPath().normalize())) {
            throw new AbortException(Messages.AgentGateFiles_OutsideWorkspace(relative));
        }
        AtomicFiles.writeString(file, text);
        return file;
    }
}
