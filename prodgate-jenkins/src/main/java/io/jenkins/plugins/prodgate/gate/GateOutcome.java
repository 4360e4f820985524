package io.jenkins.plugins.prodgate.gate;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.AbortException;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.prodgate.ui.GateRecord;
import io.jenkins.plugins.prodgate.ui.GatesAction;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.workflow.actions.LabelAction;
import org.jenkinsci.plugins.workflow.actions.WarningAction;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * Puts a gate's verdict where people look: the step's label in the pipeline graphs, the stage's colour, the build
 * page's "Production gates" summary and the log. PASS returns, INCONCLUSIVE marks the stage and the build unstable and
 * returns, FAIL fails the step with the reasons and no stack trace.
 */
public final class GateOutcome {
    private static final Logger LOGGER = Logger.getLogger(GateOutcome.class.getName());

    private GateOutcome() {}

    /**
     * Records the verdict and returns the step's result map.
     *
     * @param report the report's file name in the build's {@code prodgate} folder, or null
     * @param extra  further entries for the returned map (Serializable, sandbox-safe values only)
     * @throws AbortException for FAIL, with the reasons as its message
     */
    public static Map<String, Object> publish(
            StepContext context,
            String gate,
            Verdict verdict,
            String headline,
            List<String> reasons,
            @CheckForNull String report,
            Map<String, Object> extra)
            throws Exception {
        Run<?, ?> run = context.get(Run.class);
        TaskListener listener = context.get(TaskListener.class);
        FlowNode node = context.get(FlowNode.class);
        if (run == null || listener == null) {
            throw verdict == Verdict.FAIL ? failure(gate, reasons) : new IllegalStateException(gate + ": no build");
        }

        String label = gate + ": " + verdict + (headline.isEmpty() ? "" : ", " + headline);
        listener.getLogger().println(label);
        for (String reason : reasons) {
            listener.getLogger().println("  - " + reason);
        }
        // Where the verdict is shown: a problem there is logged, and never takes the place of the verdict (a FAIL
        // still ends the step with its reasons, not with an exception of the UI's).
        try {
            if (node != null) {
                node.addOrReplaceAction(new LabelAction(label));
            }
            GatesAction.record(
                    run, new GateRecord(gate, verdict.name(), headline, reasons, report, System.currentTimeMillis()));
        } catch (IOException | RuntimeException e) {
            LOGGER.log(Level.WARNING, gate + ": could not record the verdict on " + run, e);
            listener.getLogger().println(gate + ": could not record the verdict on the build page: " + e);
        }
        if (report != null) {
            listener.getLogger().println(Messages.GateOutcome_Report(reportUrl(run, report)));
        }

        String firstReason = reasons.isEmpty() ? verdict.name() : reasons.get(0);
        switch (verdict) {
            case FAIL -> throw failure(gate, reasons);
            case INCONCLUSIVE -> {
                String message = gate + ": INCONCLUSIVE: " + firstReason;
                if (node != null) {
                    try {
                        node.addOrReplaceAction(new WarningAction(Result.UNSTABLE).withMessage(message));
                    } catch (RuntimeException e) {
                        LOGGER.log(Level.WARNING, gate + ": could not mark the stage unstable on " + run, e);
                    }
                }
                run.setResult(Result.UNSTABLE);
                listener.getLogger().println("WARNING: " + message);
            }
            case PASS -> {
                // nothing to mark: a green stage and the label say it
            }
        }
        Map<String, Object> result = new HashMap<>(extra);
        result.put("verdict", verdict.name());
        result.put("reasons", new ArrayList<>(reasons));
        result.put("headline", headline);
        result.put("reportUrl", report == null ? null : run.getUrl() + GatesAction.DIR + "/reports/" + report);
        return result;
    }

    /**
     * A FAIL verdict as the step's failure: an {@link AbortException} with the reasons, which Pipeline shows as the
     * stage's error message, without a stack trace (any other exception shows as "Found unhandled ... exception").
     */
    public static AbortException failure(String gate, List<String> reasons) {
        return new AbortException(gate + ": FAIL" + (reasons.isEmpty() ? "" : ": " + String.join("; ", reasons)));
    }

    /** The report's absolute URL when Jenkins knows its own, else relative to Jenkins' root. */
    static String reportUrl(Run<?, ?> run, String report) {
        Jenkins jenkins = Jenkins.getInstanceOrNull();
        String root = jenkins == null ? null : jenkins.getRootUrl();
        return (root == null ? "/" : root) + run.getUrl() + GatesAction.DIR + "/reports/" + report;
    }
}
