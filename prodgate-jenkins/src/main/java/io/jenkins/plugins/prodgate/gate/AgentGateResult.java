package io.jenkins.plugins.prodgate.gate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a gate that ran on the agent sends back to the controller: the verdict and the reports as text. The core's
 * result records are not Serializable, and the controller needs only this much.
 */
public final class AgentGateResult implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String verdict;
    private final String headline;
    private final ArrayList<String> reasons;
    private final ArrayList<String> warnings;
    private final String summary;
    private final String json;
    private final String junitXml;

    public AgentGateResult(
            String verdict,
            String headline,
            List<String> reasons,
            List<String> warnings,
            String summary,
            String json,
            String junitXml) {
        this.verdict = verdict;
        this.headline = headline;
        this.reasons = new ArrayList<>(reasons);
        this.warnings = new ArrayList<>(warnings);
        this.summary = summary;
        this.json = json;
        this.junitXml = junitXml;
    }

    public String verdict() {
        return verdict;
    }

    public String headline() {
        return headline;
    }

    public List<String> reasons() {
        return List.copyOf(reasons);
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The core's human summary, for the build log. */
    public String summary() {
        return summary;
    }

    public String json() {
        return json;
    }

    public String junitXml() {
        return junitXml;
    }
}
