package io.jenkins.plugins.prodgate.gate;

import java.io.File;
import java.io.IOException;

/** Writes the reports of a gate that ran on an agent into the build's {@code prodgate} folder. */
public final class BuildReports {
    private BuildReports() {}

    /** Writes an already rendered JSON report and its JUnit XML; returns the JSON file's name. */
    public static String writeRendered(File dir, String name, String json, String junitXml) throws IOException {
        io.prodgate.core.report.Reports.writeAtomically(dir.toPath().resolve(name + ".json"), json);
        io.prodgate.core.report.Reports.writeAtomically(dir.toPath().resolve(name + ".xml"), junitXml);
        return name + ".json";
    }
}
