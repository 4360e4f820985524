package io.jenkins.plugins.prodgate.steps;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.prodgate.gate.AgentGateResult;
import io.jenkins.plugins.prodgate.gate.BuildReports;
import io.jenkins.plugins.prodgate.gate.GateOutcome;
import io.jenkins.plugins.prodgate.ui.GatesAction;
import io.prodgate.core.util.Durations;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jenkins.MasterToSlaveFileCallable;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/** Runs a short gate on the agent that holds the workspace and publishes its verdict on the controller. */
final class AgentGates {
    private AgentGates() {}

    /**
     * Runs {@code gate} in the workspace's JVM (the agent's, where commands and HTTP checks must run) and waits at
     * most {@code timeout}.
     */
    static AgentGateResult runOnAgent(
            StepContext context, String name, MasterToSlaveFileCallable<AgentGateResult> gate, String timeout)
            throws Exception {
        FilePath workspace = context.get(FilePath.class);
        TaskListener listener = context.get(TaskListener.class);
        Duration limit;
        try {
            limit = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new AbortException(name + ": timeout: " + e.getMessage());
        }
        Future<AgentGateResult> future = workspace.actAsync(gate);
        AgentGateResult result;
        try {
            result = future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true); // interrupts the gate on the agent, which kills its commands
            throw new AbortException(Messages.AgentGates_Timeout(name, Durations.human(limit)));
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AbortException abort) {
                throw new AbortException(abort.getMessage()); // a gate-file problem: its text says it all
            }
            throw e;
        }
        listener.getLogger().println(result.summary());
        for (String warning : result.warnings()) {
            listener.getLogger().println("WARNING: " + name + ": " + warning);
        }
        return result;
    }

    /** Archives the reports in the build's folder and records the verdict (FAIL throws). */
    static Map<String, Object> publish(
            StepContext context, String name, AgentGateResult result, Map<String, Object> extra) throws Exception {
        Run<?, ?> run = context.get(Run.class);
        String file = name + "-"
                + context.get(org.jenkinsci.plugins.workflow.graph.FlowNode.class)
                        .getId();
        String report;
        try {
            report = BuildReports.writeRendered(GatesAction.reportDir(run), file, result.json(), result.junitXml());
        } catch (IOException e) {
            // the verdict stands without its reports in the build (the JUnit XML is in the workspace)
            context.get(TaskListener.class)
                    .getLogger()
                    .println(name + ": could not keep the reports with the build: " + e.getMessage());
            report = null;
        }
        Map<String, Object> all = new java.util.HashMap<>(extra);
        all.put("junitXml", result.junitXml());
        return GateOutcome.publish(
                context, name, Verdict.valueOf(result.verdict()), result.headline(), result.reasons(), report, all);
    }
}
