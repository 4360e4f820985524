package io.jenkins.plugins.prodgate.steps;

import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.jenkins.plugins.prodgate.testing.FakeProduction;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.junit.jupiter.BuildWatcherExtension;
import org.jvnet.hudson.test.junit.jupiter.JenkinsSessionExtension;

/** A bake interrupted by a controller restart ends with the verdict it would have reached without one. */
class CanaryGateRestartTest {
    @RegisterExtension
    static final BuildWatcherExtension BUILD_WATCHER = new BuildWatcherExtension();

    @RegisterExtension
    private final JenkinsSessionExtension sessions = new JenkinsSessionExtension();

    private FakeProduction prod; // lives in the test JVM, so it keeps its port across the restart

    @BeforeEach
    void startProduction() throws Exception {
        prod = new FakeProduction();
    }

    @AfterEach
    void stopProduction() {
        prod.close();
    }

    @Test
    void healthyBakeSurvivesRestart() throws Throwable {
        sessions.then(j -> {
            ProdgateConfiguration.get().setPrometheusUrl(prod.url());
            WorkflowJob p = j.createProject(WorkflowJob.class, "canary");
            p.setDefinition(new CpsFlowDefinition("""
                    def r = canaryGate canarySelector: 'app="shop",track="canary"',
                        baselineSelector: 'app="shop",track="stable"', bake: '6s', interval: '1s'
                    echo "verdict=${r.verdict} evaluations=${r.evaluations}"
                    """, true));
            WorkflowRun b = p.scheduleBuild2(0).waitForStart();
            j.waitForMessage("canaryGate: evaluation 1/6", b);
        });
        sessions.then(j -> {
            WorkflowRun b = j.jenkins.getItemByFullName("canary", WorkflowJob.class).getBuildByNumber(1);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            // every point of the grid was evaluated, including those that fell due while Jenkins was down
            j.assertLogContains("verdict=PASS evaluations=6", b);
        });
    }

    @Test
    void regressedBakeFailsAfterRestart() throws Throwable {
        sessions.then(j -> {
            ProdgateConfiguration.get().setPrometheusUrl(prod.url());
            WorkflowJob p = j.createProject(WorkflowJob.class, "canary");
            p.setDefinition(new CpsFlowDefinition("""
                    semaphore 'deployed'
                    canaryGate canarySelector: 'app="shop",track="canary"',
                        baselineSelector: 'app="shop",track="stable"', bake: '6s', interval: '1s'
                    """, true));
            WorkflowRun b = p.scheduleBuild2(0).waitForStart();
            org.jenkinsci.plugins.workflow.test.steps.SemaphoreStep.waitForStart("deployed/1", b);
            org.jenkinsci.plugins.workflow.test.steps.SemaphoreStep.success("deployed/1", null);
            j.waitForMessage("canaryGate: baking for 6s", b);
            // the canary regresses while Jenkins is down: the evaluations made after the restart see it
            prod.canary(FakeProduction.Canary.REGRESSED);
        });
        sessions.then(j -> {
            WorkflowRun b = j.jenkins.getItemByFullName("canary", WorkflowJob.class).getBuildByNumber(1);
            j.assertBuildStatus(hudson.model.Result.FAILURE, j.waitForCompletion(b));
            j.assertLogContains("canaryGate: FAIL", b);
        });
    }
}
