package io.jenkins.plugins.prodgate.steps;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.ListBoxModel;
import java.util.Map;
import java.util.Set;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * {@code canaryRollout}: {@code canaryGate} for a progressive canary whose traffic the pipeline shifts itself. At the
 * start of each step the block runs with the step's weight in {@code PRODGATE_WEIGHT} (percent, e.g. {@code 10}), on
 * whatever agent the block asks for, and the bake goes on when it returns; the shift is then verified from the data,
 * as every shift is. Between steps the bake waits as {@code canaryGate} does: no executor, no thread, and it survives a
 * restart (a block that was running goes on with the build).
 *
 * <p>Pipeline requires a block with every call of a step that takes one, so this is a step of its own rather than an
 * optional block of {@code canaryGate}, whose calls without a block must keep working. Same parameters, same result.
 */
public class CanaryRolloutStep extends CanaryGateStep {
    @DataBoundConstructor
    public CanaryRolloutStep() {}

    @Override
    String functionName() {
        return CanaryGateExecution.ROLLOUT;
    }

    @Override
    boolean shiftsWithBlock() {
        return true;
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            // as canaryGate: the bake holds no executor; the block asks for one (node) when it needs it
            return Set.of(Run.class, TaskListener.class, FlowNode.class);
        }

        @Override
        public String getFunctionName() {
            return CanaryGateExecution.ROLLOUT;
        }

        @Override
        public boolean takesImplicitBlockArgument() {
            return true;
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.CanaryRolloutStep_DisplayName();
        }

        @Override
        public String argumentsToString(@NonNull Map<String, Object> namedArgs) {
            return CanaryGateStep.DescriptorImpl.arguments(namedArgs);
        }

        /** Credentials the job may use, for the snippet generator. */
        @POST
        public ListBoxModel doFillCredentialsIdItems(
                @AncestorInPath Item item, @QueryParameter String prometheusUrl, @QueryParameter String credentialsId) {
            return CanaryGateStep.DescriptorImpl.credentialItems(item, prometheusUrl, credentialsId);
        }
    }
}
