package io.jenkins.plugins.prodgate.ui;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.kohsuke.stapler.export.Exported;
import org.kohsuke.stapler.export.ExportedBean;

/** One gate's verdict in a build, as the build page and the REST API show it. Plain fields: it lives in build.xml. */
@ExportedBean(defaultVisibility = 2)
public final class GateRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String gate;
    private final String verdict;
    private final String headline;
    private final ArrayList<String> reasons; // a concrete, serializable list: it is stored with the build
    private final String report;
    private final long timestamp;

    /**
     * @param report the report's file name in the build's {@code prodgate} folder, or null
     */
    public GateRecord(
            String gate,
            String verdict,
            String headline,
            List<String> reasons,
            @CheckForNull String report,
            long timestamp) {
        this.gate = gate;
        this.verdict = verdict;
        this.headline = headline;
        this.reasons = new ArrayList<>(reasons);
        this.report = report;
        this.timestamp = timestamp;
    }

    /** {@code stagingSmoke}, {@code canaryGate} or {@code verifyRollback}. */
    @Exported
    public String getGate() {
        return gate;
    }

    /** {@code PASS}, {@code FAIL} or {@code INCONCLUSIVE}. */
    @Exported
    public String getVerdict() {
        return verdict;
    }

    @Exported
    public String getHeadline() {
        return headline;
    }

    @Exported
    public List<String> getReasons() {
        return List.copyOf(reasons);
    }

    @CheckForNull
    @Exported
    public String getReport() {
        return report;
    }

    @Exported
    public long getTimestamp() {
        return timestamp;
    }

    /** The core status symbol shown next to the verdict. */
    public String getIconClassName() {
        return switch (verdict) {
            case "PASS" -> "symbol-status-blue";
            case "FAIL" -> "symbol-status-red";
            default -> "symbol-status-yellow";
        };
    }
}
