package io.jenkins.plugins.prodgate.gate;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.AbortException;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.prodgate.ui.GateRecord;
import io.jenkins.plugins.prodgate.ui.GatesAction;
import io.prodgate.core.verdict.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

        String label = gate + ": " + verdict + (headline.isEmpty() ? "" : ", " + headline);
        if (node != null) {
            node.addOrReplaceAction(new LabelAction(label));
        }
        GatesAction.record(
                run, new GateRecord(gate, verdict.name(), headline, reasons, report, System.currentTimeMillis()));
        listener.getLogger().println(label);
        for (String reason : reasons) {
            listener.getLogger().println("  - " + reason);
        }
        if (report != null) {
            String root = jenkins.model.Jenkins.get().getRootUrl();
            listener.getLogger()
                    .println(Messages.GateOutcome_Report(
                            (root == null ? "/" : root) + run.getUrl() + GatesAction.DIR + "/reports/" + report));
        }

        String firstReason = reasons.isEmpty() ? verdict.name() : reasons.get(0);
        switch (verdict) {
            case FAIL -> throw new AbortException(gate + ": FAIL: " + String.join("; ", reasons));
            case INCONCLUSIVE -> {
                String message = gate + ": INCONCLUSIVE: " + firstReason;
                if (node != null) {
                    node.addOrReplaceAction(new WarningAction(Result.UNSTABLE).withMessage(message));
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
}
