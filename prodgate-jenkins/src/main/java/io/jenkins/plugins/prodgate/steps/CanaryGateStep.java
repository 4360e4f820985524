package io.jenkins.plugins.prodgate.steps;

import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.Util;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.queue.Tasks;
import hudson.security.ACL;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.jenkins.plugins.prodgate.gate.CanarySettings;
import io.jenkins.plugins.prodgate.gate.PrometheusConnection;
import java.util.Map;
import java.util.Set;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * {@code canaryGate}: bakes a canary against its baseline on Prometheus evidence and returns PASS, fails the stage on
 * FAIL, or marks it unstable on INCONCLUSIVE. It waits without an executor or a thread, so call it outside
 * {@code node}; it survives a controller restart. A progressive canary ({@code canary.steps}) shifts its traffic with
 * the gate file's HTTP traffic action, from the controller; {@link CanaryRolloutStep} shifts it with a block instead.
 */
public class CanaryGateStep extends Step {
    private String config;
    private String configText;
    private String canarySelector;
    private String baselineSelector;
    private String bake;
    private String interval;
    private Double falseAlarmRate;
    private Boolean requireRollbackProof;
    private String maxProofAge;
    private String prometheusUrl;
    private String credentialsId;

    @DataBoundConstructor
    public CanaryGateStep() {}

    @CheckForNull
    public String getConfig() {
        return config;
    }

    /** A gate file in the workspace; needs {@code node}. Read once, before the first evaluation. */
    @DataBoundSetter
    public void setConfig(String config) {
        this.config = Util.fixEmptyAndTrim(config);
    }

    @CheckForNull
    public String getConfigText() {
        return configText;
    }

    /** A gate file's text, e.g. from {@code readFile} or {@code libraryResource}; works outside {@code node}. */
    @DataBoundSetter
    public void setConfigText(String configText) {
        this.configText = Util.fixEmpty(configText);
    }

    @CheckForNull
    public String getCanarySelector() {
        return canarySelector;
    }

    @DataBoundSetter
    public void setCanarySelector(String canarySelector) {
        this.canarySelector = Util.fixEmptyAndTrim(canarySelector);
    }

    @CheckForNull
    public String getBaselineSelector() {
        return baselineSelector;
    }

    @DataBoundSetter
    public void setBaselineSelector(String baselineSelector) {
        this.baselineSelector = Util.fixEmptyAndTrim(baselineSelector);
    }

    @CheckForNull
    public String getBake() {
        return bake;
    }

    @DataBoundSetter
    public void setBake(String bake) {
        this.bake = Util.fixEmptyAndTrim(bake);
    }

    @CheckForNull
    public String getInterval() {
        return interval;
    }

    @DataBoundSetter
    public void setInterval(String interval) {
        this.interval = Util.fixEmptyAndTrim(interval);
    }

    @CheckForNull
    public Double getFalseAlarmRate() {
        return falseAlarmRate;
    }

    @DataBoundSetter
    public void setFalseAlarmRate(Double falseAlarmRate) {
        this.falseAlarmRate = falseAlarmRate;
    }

    @CheckForNull
    public Boolean getRequireRollbackProof() {
        return requireRollbackProof;
    }

    /**
     * Only {@code true} is kept: a step can require a proof, never waive one, so {@code false} means what leaving it
     * out means, and the Snippet Generator does not write {@code requireRollbackProof: false} for an unticked box.
     */
    @DataBoundSetter
    public void setRequireRollbackProof(Boolean requireRollbackProof) {
        this.requireRollbackProof = Boolean.TRUE.equals(requireRollbackProof) ? Boolean.TRUE : null;
    }

    @CheckForNull
    public String getMaxProofAge() {
        return maxProofAge;
    }

    @DataBoundSetter
    public void setMaxProofAge(String maxProofAge) {
        this.maxProofAge = Util.fixEmptyAndTrim(maxProofAge);
    }

    @CheckForNull
    public String getPrometheusUrl() {
        return prometheusUrl;
    }

    /** Another Prometheus than the global one; the global credential is then not sent. */
    @DataBoundSetter
    public void setPrometheusUrl(String prometheusUrl) {
        this.prometheusUrl = Util.fixEmptyAndTrim(prometheusUrl);
    }

    @CheckForNull
    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        // Copy everything now, global defaults included: the execution must judge with the same settings after a
        // restart. No I/O here (CPS VM thread); the gate file is read by the first evaluation.
        CanarySettings settings = new CanarySettings(
                canarySelector,
                baselineSelector,
                bake,
                interval,
                falseAlarmRate,
                requireRollbackProof,
                maxProofAge,
                ProdgateConfiguration.get());
        return new CanaryGateExecution(
                context, functionName(), shiftsWithBlock(), config, configText, settings, prometheusUrl, credentialsId);
    }

    /** The step's name in messages, labels and the build's gate records. */
    String functionName() {
        return CanaryGateExecution.GATE;
    }

    /** Whether the pipeline's block shifts the traffic at each step ({@code canaryRollout}). */
    boolean shiftsWithBlock() {
        return false;
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            // No FilePath or Launcher: the step runs outside node {} and holds no executor while it bakes.
            return Set.of(Run.class, TaskListener.class, FlowNode.class);
        }

        @Override
        public String getFunctionName() {
            return CanaryGateExecution.GATE;
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.CanaryGateStep_DisplayName();
        }

        @Override
        public String argumentsToString(@NonNull Map<String, Object> namedArgs) {
            return arguments(namedArgs);
        }

        static String arguments(Map<String, Object> namedArgs) {
            Object config = namedArgs.get("config");
            Object canary = namedArgs.get("canarySelector");
            return config != null ? config.toString() : canary != null ? canary.toString() : null;
        }

        /** Credentials the job may use, for the snippet generator. */
        @POST
        public ListBoxModel doFillCredentialsIdItems(
                @AncestorInPath Item item, @QueryParameter String prometheusUrl, @QueryParameter String credentialsId) {
            return credentialItems(item, prometheusUrl, credentialsId);
        }

        static ListBoxModel credentialItems(@CheckForNull Item item, String url, String current) {
            StandardListBoxModel result = new StandardListBoxModel();
            if (item == null
                    ? !jenkins.model.Jenkins.get().hasPermission(jenkins.model.Jenkins.ADMINISTER)
                    : !item.hasPermission(Item.EXTENDED_READ)
                            && !item.hasPermission(com.cloudbees.plugins.credentials.CredentialsProvider.USE_ITEM)) {
                return result.includeCurrentValue(current);
            }
            return result.includeEmptyValue()
                    .includeMatchingAs(
                            item instanceof hudson.model.Queue.Task task
                                    ? Tasks.getAuthenticationOf2(task)
                                    : ACL.SYSTEM2,
                            item,
                            StandardCredentials.class,
                            com.cloudbees.plugins.credentials.domains.URIRequirementBuilder.fromUri(url)
                                    .build(),
                            PrometheusConnection.USABLE)
                    .includeCurrentValue(current);
        }
    }
}
