package io.prodgate.cli;

import io.prodgate.core.run.ReportFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The reports every gate command can write: JSON, JUnit XML for a CI's test view, and a self-contained HTML page. */
final class ReportOptions {
    @Option(names = "--report-json", paramLabel = "FILE", description = "Write the JSON report here.")
    Path json;

    @Option(names = "--junit", paramLabel = "FILE",
            description = "Write JUnit XML here (one test case per SLO or check), for the CI's test view.")
    Path junit;

    @Option(names = "--report-html", paramLabel = "FILE", description = "Write a self-contained HTML report here.")
    Path html;

    /** The reports asked for, for a core run to write. */
    ReportFiles files() {
        return ReportFiles.of(json, junit, html);
    }

    /** Writes one report to {@code file}, if asked for. */
    @FunctionalInterface
    interface Writer {
        void write(Path file) throws IOException;
    }

    /** Writes each report that was asked for and says where it is. */
    void write(PrintWriter out, Writer json, Writer junit, Writer html) throws IOException {
        write(out, "JSON report", this.json, json);
        write(out, "JUnit XML", this.junit, junit);
        write(out, "HTML report", this.html, html);
    }

    private static void write(PrintWriter out, String what, Path file, Writer writer) throws IOException {
        if (file != null) {
            writer.write(file);
            out.println("  " + what + ": " + file);
        }
    }
}
