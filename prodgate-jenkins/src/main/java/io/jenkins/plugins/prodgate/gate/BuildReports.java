package io.jenkins.plugins.prodgate.gate;

import io.prodgate.core.report.CanaryHtml;
import io.prodgate.core.report.CanaryReport;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Writes a gate's reports into the build's {@code prodgate} folder and names the one the build page links to. */
public final class BuildReports {
    private static final Logger LOGGER = Logger.getLogger(BuildReports.class.getName());

    private BuildReports() {
    }

    /**
     * Writes {@code <name>.json} (the report), {@code <name>.xml} (JUnit XML) and {@code <name>.html} (the canary's
     * HTML report, served under Jenkins' Content-Security-Policy for user content).
     *
     * @return the file name to link: the HTML report, or the JSON one if the HTML could not be rendered
     */
    public static String write(File dir, String name, CanaryReport report, String junitXml) throws IOException {
        Path json = dir.toPath().resolve(name + ".json");
        io.prodgate.core.report.Reports.writeJson(json, report);
        io.prodgate.core.report.Reports.writeAtomically(dir.toPath().resolve(name + ".xml"), junitXml);
        try {
            Path html = dir.toPath().resolve(name + ".html");
            CanaryHtml.write(html, report);
            return html.getFileName().toString();
        } catch (RuntimeException e) {
            // the JSON report holds the same figures; a rendering bug must not cost the verdict
            LOGGER.log(Level.WARNING, "could not render the HTML report " + name, e);
            return json.getFileName().toString();
        }
    }

    /** Writes an already rendered JSON report and its JUnit XML; returns the JSON file's name. */
    public static String writeRendered(File dir, String name, String json, String junitXml) throws IOException {
        io.prodgate.core.report.Reports.writeAtomically(dir.toPath().resolve(name + ".json"), json);
        io.prodgate.core.report.Reports.writeAtomically(dir.toPath().resolve(name + ".xml"), junitXml);
        return name + ".json";
    }
}
