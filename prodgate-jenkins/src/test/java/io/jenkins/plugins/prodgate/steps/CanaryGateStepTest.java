package io.jenkins.plugins.prodgate.steps;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.ExtensionList;
import hudson.model.Result;
import hudson.util.Secret;
import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.jenkins.plugins.prodgate.testing.FakeProduction;
import io.jenkins.plugins.prodgate.ui.GateDetailFactory;
import io.jenkins.plugins.prodgate.ui.GateRecord;
import io.jenkins.plugins.prodgate.ui.GatesAction;
import java.io.File;
import java.util.List;
import jenkins.model.details.Detail;
import jenkins.model.details.DetailFactory;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
import org.jenkinsci.plugins.workflow.actions.LabelAction;
import org.jenkinsci.plugins.workflow.actions.WarningAction;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.graphanalysis.DepthFirstScanner;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.BuildWatcherExtension;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

@WithJenkins
class CanaryGateStepTest {
    @RegisterExtension
    static final BuildWatcherExtension BUILD_WATCHER = new BuildWatcherExtension();

    /** Inline parameters only: the SLO is the global availability default. Short bake for tests. */
    static final String INLINE = "canarySelector: 'app=\"shop\",track=\"canary\"', "
            + "baselineSelector: 'app=\"shop\",track=\"stable\"', bake: '3s', interval: '1s'";

    private FakeProduction prod;
    private JenkinsRule r;

    @BeforeEach
    void setUp(JenkinsRule rule) throws Exception {
        r = rule;
        prod = new FakeProduction();
        ProdgateConfiguration.get().setPrometheusUrl(prod.url());
    }

    @AfterEach
    void tearDown() {
        prod.close();
    }

    private WorkflowRun run(String script, Result expected) throws Exception {
        WorkflowJob p = r.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return r.buildAndAssertStatus(expected, p);
    }

    private static FlowNode nodeWith(WorkflowRun b, Class<? extends hudson.model.Action> action) {
        return new DepthFirstScanner().findFirstMatch(b.getExecution(), n -> n.getPersistentAction(action) != null);
    }

    @Test
    void healthyCanaryPassesOutsideNode() throws Exception {
        WorkflowRun b = run(
                "def r = canaryGate " + INLINE + "\necho \"verdict=${r.verdict} evaluations=${r.evaluations}\"",
                Result.SUCCESS);
        r.assertLogContains("verdict=PASS evaluations=3", b);
        r.assertLogContains("canaryGate: evaluation 1/3", b);
        r.assertLogContains("availability canary 0.02 % bad", b);
        assertThat(nodeWith(b, WarningAction.class), nullValue());
        FlowNode step = nodeWith(b, LabelAction.class);
        assertThat(step.getDisplayName(), startsWith("canaryGate: PASS, availability"));
        GateRecord gate = b.getAction(GatesAction.class).getGates().get(0);
        assertThat(gate.getVerdict(), is("PASS"));
        assertThat(new File(new File(b.getRootDir(), GatesAction.DIR), gate.getReport()).isFile(), is(true));
    }

    @Test
    void regressedCanaryFailsTheStage() throws Exception {
        prod.canary(FakeProduction.Canary.REGRESSED);
        WorkflowRun b = run("""
                pipeline {
                  agent none
                  stages {
                    stage('Canary') {
                      steps {
                        canaryGate %s
                      }
                    }
                  }
                }
                """.formatted(INLINE), Result.FAILURE);
        r.assertLogContains("canaryGate: FAIL: availability: canary is worse than the baseline", b);
        r.assertLogNotContains("\tat io.jenkins.plugins.prodgate", b); // a reason, not a stack trace
        assertThat(b.getAction(GatesAction.class).getWorstVerdict(), is("FAIL"));
        assertThat(nodeWith(b, LabelAction.class).getDisplayName(), startsWith("canaryGate: FAIL"));
        r.assertLogNotContains("Found unhandled", b);

        // the build's details (the new build page, Pipeline Graph View's Stages page): the verdict, its figure and
        // a link to the report
        GateDetailFactory factory = ExtensionList.lookupSingleton(GateDetailFactory.class);
        assertThat(ExtensionList.lookup(DetailFactory.class), hasItem(factory));
        List<? extends Detail> details = factory.createFor(b);
        assertThat(details.size(), is(1));
        Detail detail = details.get(0);
        assertThat(detail.getDisplayName(), startsWith("canaryGate FAIL · availability canary "));
        assertThat(detail.getDisplayName(), endsWith(" · report"));
        assertThat(detail.getIconClassName(), is("symbol-status-red"));
        GateRecord gate = b.getAction(GatesAction.class).getGates().get(0);
        assertThat(detail.getLink(), endsWith("/" + b.getUrl() + GatesAction.DIR + "/reports/" + gate.getReport()));
        assertThat(gate.getReport(), endsWith(".html"));
    }

    @Test
    void missingCanaryDataIsInconclusiveAndUnstable() throws Exception {
        prod.canary(FakeProduction.Canary.NO_DATA);
        WorkflowRun b = run("def r = canaryGate " + INLINE + "\necho \"verdict=${r.verdict}\"", Result.UNSTABLE);
        r.assertLogContains("verdict=INCONCLUSIVE", b);
        FlowNode warned = nodeWith(b, WarningAction.class);
        assertThat(warned, notNullValue());
        WarningAction warning = warned.getPersistentAction(WarningAction.class);
        assertThat(warning.getResult(), is(Result.UNSTABLE));
        assertThat(warning.getMessage(), containsString("the canary served no requests"));
    }

    @Test
    void inlineParametersOverrideTheGateFileText() throws Exception {
        // the file says 30m; the step bakes for 3s
        String gate = """
                prometheus:
                  url: %s
                canary:
                  selectors:
                    canary: app="shop",track="canary"
                    baseline: app="shop",track="stable"
                  bake: 30m
                  slos:
                    - name: availability
                      bad: sum(increase(http_requests_total{${selector},code=~"5.."}[${window}]))
                      total: sum(increase(http_requests_total{${selector}}[${window}]))
                      objective: 99.9
                """.formatted(prod.url());
        WorkflowJob p = r.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition("""
                def gate
                node {
                  writeFile file: 'gate.yaml', text: '''%s'''
                  gate = readFile 'gate.yaml'
                }
                def r = canaryGate configText: gate, bake: '3s', interval: '1s'
                echo "verdict=${r.verdict}"
                """.formatted(gate), true));
        WorkflowRun b = r.buildAndAssertSuccess(p);
        r.assertLogContains("baking for 3s", b);
        r.assertLogContains("verdict=PASS", b);
    }

    @Test
    void aGateFileInTheWorkspaceIsReadInTheBackground() throws Exception {
        WorkflowRun b = run("""
                node {
                  writeFile file: 'gate.yaml', text: 'prometheus: { url: "%s" }'
                  def r = canaryGate config: 'gate.yaml', %s
                  echo "verdict=${r.verdict}"
                }
                """.formatted(prod.url(), INLINE), Result.SUCCESS);
        r.assertLogContains("verdict=PASS", b);
    }

    @Test
    void configFromTheWorkspaceOutsideNodeIsExplained() throws Exception {
        WorkflowRun b = run("canaryGate config: 'gate.yaml', " + INLINE, Result.FAILURE);
        r.assertLogContains("needs a workspace", b);
    }

    @Test
    void theGlobalCredentialGoesOnlyToTheGlobalUrl() throws Exception {
        CredentialsProvider.lookupStores(r.jenkins)
                .iterator()
                .next()
                .addCredentials(
                        Domain.global(),
                        new StringCredentialsImpl(
                                CredentialsScope.GLOBAL, "prom", "token", Secret.fromString("s3cret")));
        ProdgateConfiguration.get().setCredentialsId("prom");
        WorkflowRun first = run("canaryGate " + INLINE, Result.SUCCESS);
        // everyItem holds for an empty list too: the queries must have been made
        assertThat(prod.authorizations(), not(empty()));
        assertThat(prod.authorizations(), everyItem(is("Bearer s3cret")));
        r.assertLogNotContains("s3cret", first);

        try (FakeProduction other = new FakeProduction()) {
            WorkflowRun b = run("canaryGate prometheusUrl: '" + other.url() + "', " + INLINE, Result.SUCCESS);
            assertThat(other.authorizations(), not(empty()));
            assertThat(other.authorizations(), everyItem(is("")));
            assertThat(other.authorizations(), not(hasItem("Bearer s3cret")));
            r.assertLogContains("not sent", b);

            // a credential of the pipeline's own may go to its own URL
            run("canaryGate prometheusUrl: '" + other.url() + "', credentialsId: 'prom', " + INLINE, Result.SUCCESS);
            assertThat(other.authorizations(), hasItem("Bearer s3cret"));
        }
    }

    @Test
    void aRequiredRollbackProofThatIsMissingKeepsTheCanaryFromPassing() throws Exception {
        WorkflowRun b = run(
                "def r = canaryGate requireRollbackProof: true, " + INLINE + "\necho \"verdict=${r.verdict}\"",
                Result.UNSTABLE);
        r.assertLogContains("verdict=INCONCLUSIVE", b);
        r.assertLogContains("no rollback proof", b);
    }
}
