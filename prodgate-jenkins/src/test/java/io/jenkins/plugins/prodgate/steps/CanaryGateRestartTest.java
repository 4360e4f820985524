package io.jenkins.plugins.prodgate.steps;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.jenkins.plugins.prodgate.testing.FakeProduction;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.jenkinsci.plugins.workflow.test.steps.SemaphoreStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.JenkinsRule;
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
            WorkflowRun b =
                    j.jenkins.getItemByFullName("canary", WorkflowJob.class).getBuildByNumber(1);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            // every point of the grid was evaluated, including those that fell due while Jenkins was down, and
            // no more: the verdict and the count of an uninterrupted bake of 6s every 1s
            j.assertLogContains("verdict=PASS evaluations=6", b);
            assertResumed(b, 6);
        });
    }

    /**
     * The bake resumed from its saved state rather than starting over (which would also reach a verdict): it began
     * once, and its first evaluation, saved before the restart, was not made again.
     */
    private static void assertResumed(WorkflowRun b, int evaluations) throws Exception {
        String log = JenkinsRule.getLog(b);
        assertThat(log, occurrences(log, "canaryGate: baking for "), is(1));
        assertThat(log, occurrences(log, "canaryGate: evaluation 1/" + evaluations + " "), is(1));
    }

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
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
            SemaphoreStep.waitForStart("deployed/1", b);
            SemaphoreStep.success("deployed/1", null);
            j.waitForMessage("canaryGate: baking for 6s", b);
            // the canary regresses while Jenkins is down: the evaluations made after the restart see it
            prod.canary(FakeProduction.Canary.REGRESSED);
        });
        sessions.then(j -> {
            WorkflowRun b =
                    j.jenkins.getItemByFullName("canary", WorkflowJob.class).getBuildByNumber(1);
            j.assertBuildStatus(hudson.model.Result.FAILURE, j.waitForCompletion(b));
            j.assertLogContains("canaryGate: FAIL", b);
            // the reasons end the step, as an AbortException's message, without a stack trace
            j.assertLogContains("ERROR: canaryGate: FAIL: ", b);
            j.assertLogNotContains("Found unhandled", b);
            // judged on the saved bake: it began once, before the restart
            assertResumed(b, 6);
        });
    }

    /** A progressive canary in two steps of 10s, with {@code traffic} lines under {@code canary.traffic}. */
    private String progressive(String traffic) {
        return """
                canary:
                  selectors:
                    canary: app="shop",track="canary"
                    baseline: app="shop",track="stable"
                  interval: 1s
                  steps:
                    - { weight: 10%%, bake: 10s }
                    - { weight: 50%%, bake: 10s }
                  traffic:
                    settle: 3s
                %s  slos:
                    - name: availability
                      bad: sum(increase(http_requests_total{${selector},code=~"5.."}[${window}]))
                      total: sum(increase(http_requests_total{${selector}}[${window}]))
                      objective: 99.9
                """.formatted(traffic);
    }

    @Test
    void aProgressiveBakeAsksForTheCurrentStepsWeightAgainAfterARestart() throws Throwable {
        sessions.then(j -> {
            ProdgateConfiguration.get().setPrometheusUrl(prod.url());
            WorkflowJob p = j.createProject(WorkflowJob.class, "canary");
            p.setDefinition(new CpsFlowDefinition(
                    "canaryGate configText: '''"
                            + progressive("    set: { http: { url: '" + prod.url()
                                    + "/admin/weights', body: '{\"canary\": ${weight}}', " + "expectStatus: 200 } }\n")
                            + "'''",
                    true));
            WorkflowRun b = p.scheduleBuild2(0).waitForStart();
            j.waitForMessage("canaryGate: step 1/2: 10 % of the traffic to the canary", b);
        });
        sessions.then(j -> {
            WorkflowRun b =
                    j.jenkins.getItemByFullName("canary", WorkflowJob.class).getBuildByNumber(1);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            // the restart may have come between a step's start and its shift: the weight is asked for again
            assertThat(prod.weightsAsked(), contains("10", "10", "50"));
        });
    }

    @Test
    void canaryRolloutGoesOnAfterARestartWhileItsBlockRuns() throws Throwable {
        sessions.then(j -> {
            ProdgateConfiguration.get().setPrometheusUrl(prod.url());
            WorkflowJob p = j.createProject(WorkflowJob.class, "rollout");
            p.setDefinition(new CpsFlowDefinition(
                    "def r = canaryRollout(configText: '''" + progressive("")
                            + "''') {\n"
                            + "  echo \"block: weight=${env.PRODGATE_WEIGHT}\"\n"
                            + "  semaphore 'shift'\n"
                            + "}\n"
                            + "echo \"verdict=${r.verdict}\"",
                    true));
            WorkflowRun b = p.scheduleBuild2(0).waitForStart();
            SemaphoreStep.waitForStart("shift/1", b);
            // Jenkins restarts while the block shifts the traffic
        });
        sessions.then(j -> {
            WorkflowRun b =
                    j.jenkins.getItemByFullName("rollout", WorkflowJob.class).getBuildByNumber(1);
            prod.weight(10);
            SemaphoreStep.success("shift/1", null);
            SemaphoreStep.waitForStart("shift/2", b);
            prod.weight(50);
            SemaphoreStep.success("shift/2", null);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            j.assertLogContains("verdict=PASS", b);
            String log = JenkinsRule.getLog(b);
            // the first block ran once, across the restart; its shift counted from its end
            assertThat(log.split("block: weight=10", -1).length - 1, is(1));
            assertThat(log.split("block: weight=50", -1).length - 1, is(1));
            j.assertLogContains("canaryRollout: step 1/2: 10 % of the traffic to the canary (the pipeline's block)", b);
        });
    }
}
