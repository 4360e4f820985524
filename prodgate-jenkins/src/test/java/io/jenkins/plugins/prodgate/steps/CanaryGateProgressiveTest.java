package io.jenkins.plugins.prodgate.steps;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import hudson.model.Result;
import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.jenkins.plugins.prodgate.testing.FakeProduction;
import java.io.File;
import org.jenkinsci.plugins.workflow.actions.LabelAction;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.graphanalysis.DepthFirstScanner;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.test.steps.SemaphoreStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.BuildWatcherExtension;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * A progressive canary in Jenkins: {@code canaryGate} shifts with the gate file's HTTP traffic action from the
 * controller and refuses commands there; {@code canaryRollout} shifts with the pipeline's block, which receives the
 * weight. Steps bake for 10s, the shortest a step may, so each test takes a little longer than its steps.
 */
@WithJenkins
class CanaryGateProgressiveTest {
    @RegisterExtension
    static final BuildWatcherExtension BUILD_WATCHER = new BuildWatcherExtension();

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

    /** The fake load balancer's admin API, as a gate file's traffic action calls it. */
    String httpTraffic() {
        return "    set: { http: { url: '" + prod.url() + "/admin/weights', method: POST, "
                + "body: '{\"canary\": ${weight}}', expectStatus: 200 } }\n";
    }

    /**
     * A gate file with these steps (weights in percent, 10s each), {@code traffic} lines under {@code canary.traffic}
     * (the settle time is there already) and {@code extra} sections at the end.
     */
    String gate(String steps, String traffic, String canaryExtra, String extra) {
        StringBuilder list = new StringBuilder();
        for (String weight : steps.split(",")) {
            list.append("    - { weight: ").append(weight.strip()).append("%, bake: 10s }\n");
        }
        return """
                prometheus:
                  url: %s
                canary:
                  selectors:
                    canary: app="shop",track="canary"
                    baseline: app="shop",track="stable"
                  interval: 1s
                  steps:
                %s  traffic:
                    settle: 3s
                %s%s  slos:
                    - name: availability
                      bad: sum(increase(http_requests_total{${selector},code=~"5.."}[${window}]))
                      total: sum(increase(http_requests_total{${selector}}[${window}]))
                      objective: 99.9
                %s""".formatted(prod.url(), list, traffic, canaryExtra, extra);
    }

    /** The rollback section of {@link FakeProduction}'s service, over HTTP. */
    String httpRollback() {
        return """
                rollback:
                  target: %s
                  action: { http: { url: /deploy/rollback, method: POST, expectStatus: 202 } }
                  expectVersion: "1.4.1"
                  version: { http: { url: /version, jsonField: /version } }
                  deadline: 10s
                  pollInterval: 100ms
                """.formatted(prod.url());
    }

    private WorkflowRun start(String script) throws Exception {
        WorkflowJob p = r.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return p.scheduleBuild2(0).waitForStart();
    }

    /** The step's node: the one whose label the step set (the block's nodes have labels of their own). */
    private static FlowNode labelled(WorkflowRun b, String prefix) {
        return new DepthFirstScanner().findFirstMatch(b.getExecution(), n -> {
            LabelAction label = n.getPersistentAction(LabelAction.class);
            return label != null
                    && label.getDisplayName() != null
                    && label.getDisplayName().startsWith(prefix);
        });
    }

    /** What the running bake says of itself (the status in the pipeline's step views). */
    private static String status(WorkflowRun b) throws Exception {
        for (StepExecution e : b.getExecution().getCurrentExecutions(false).get()) {
            if (e instanceof CanaryGateExecution) {
                return e.getStatus();
            }
        }
        return null;
    }

    @Test
    void aProgressiveGateFileShiftsWithItsHttpActionAtEachStepAndTheStepShowsWhichOne() throws Exception {
        WorkflowRun b = start("def r = canaryGate configText: '''" + gate("10, 25, 50", httpTraffic(), "", "")
                + "'''\necho \"verdict=${r.verdict} step=${r.step}/${r.steps} weight=${r.weight}\"");

        r.waitForMessage("canaryGate: step 2/3: 25 % of the traffic to the canary (HTTP 200)", b);
        // each step bakes for 10s: the second one is still baking
        assertThat(labelled(b, "canaryGate:").getDisplayName(), is("canaryGate: baking step 2/3 (25 %)"));
        assertThat(status(b), startsWith("baking step 2/3 (25 %)"));

        r.assertBuildStatusSuccess(r.waitForCompletion(b));
        // the load balancer saw one request per step, each with the step's weight, from the controller
        assertThat(prod.weightsAsked(), contains("10", "25", "50"));
        r.assertLogContains("canaryGate: baking in 3 steps (10 % for 10s, 25 % for 10s, 50 % for 10s)", b);
        r.assertLogContains("canaryGate: step 1/3: 10 % of the traffic to the canary (HTTP 200)", b);
        r.assertLogContains("canaryGate: step 3/3: 50 % of the traffic to the canary (HTTP 200)", b);
        r.assertLogContains("verdict=PASS step=3/3 weight=50", b);
        assertThat(
                labelled(b, "canaryGate:").getDisplayName(),
                allOf(startsWith("canaryGate: PASS, availability"), endsWith("at step 3/3 (50 %)")));
    }

    @Test
    void aFailedProgressiveCanaryIsTakenOutOfTrafficAndRolledBackOverHttp() throws Exception {
        prod.canary(FakeProduction.Canary.REGRESSED);
        WorkflowRun b = start("canaryGate configText: '''"
                + gate("10, 50", httpTraffic(), "  onFail: rollback\n", httpRollback()) + "'''");
        r.assertBuildStatus(Result.FAILURE, r.waitForCompletion(b));
        // the weight to 0 first, then the rollback section, as prodgate canary does
        assertThat(prod.weightsAsked(), contains("10", "0"));
        assertThat(prod.version(), is("1.4.1"));
        r.assertLogContains("canaryGate: FAIL: rolling back (canary.onFail: rollback)", b);
        r.assertLogContains("canaryGate: rolled back in", b);
        r.assertLogContains("canaryGate: FAIL: availability: canary is worse than the baseline", b);
        assertThat(
                labelled(b, "canaryGate:").getDisplayName(),
                allOf(
                        startsWith("canaryGate: FAIL"),
                        containsString("at step 1/2 (10 %)"),
                        containsString("rolled back in")));
    }

    @Test
    void aCommandTrafficActionIsRefusedAndNeverRunsOnTheController() throws Exception {
        File marker = new File(r.jenkins.getRootDir(), "weight-was-set");
        String command = "    set: { command: { run: [touch, '" + marker.getAbsolutePath() + "'] } }\n";
        WorkflowRun b = start("canaryGate configText: '''" + gate("10, 50", command, "", "") + "'''");
        r.assertBuildStatus(Result.FAILURE, r.waitForCompletion(b));
        r.assertLogContains(
                "canaryGate: configText: canary.traffic.set.command: this command would run on the "
                        + "Jenkins controller, where canaryGate runs",
                b);
        r.assertLogContains("Shift the traffic with an HTTP action instead (canary.traffic.set.http", b);
        r.assertLogContains("canaryRollout(configText: gate) { sh './set-weight.sh \"$PRODGATE_WEIGHT\"' }", b);
        r.assertLogNotContains("\tat io.jenkins.plugins.prodgate", b); // a reason, not a stack trace
        assertThat(marker.exists(), is(false));
        assertThat("refused before the bake began", prod.authorizations(), is(empty()));
    }

    @Test
    void aCommandInTheAutomaticRollbackIsRefusedToo() throws Exception {
        String rollback = httpRollback()
                .replace(
                        "{ http: { url: /deploy/rollback, method: POST, expectStatus: 202 } }",
                        "{ command: { run: [./rollback.sh] } }");
        WorkflowRun b = start(
                "canaryGate configText: '''" + gate("10, 50", httpTraffic(), "  onFail: rollback\n", rollback) + "'''");
        r.assertBuildStatus(Result.FAILURE, r.waitForCompletion(b));
        r.assertLogContains(
                "canaryGate: configText: rollback.action.command: this command would run on the "
                        + "Jenkins controller",
                b);
        r.assertLogContains("leave canary.onFail: rollback out and roll back from the pipeline", b);
        assertThat(prod.weightsAsked(), is(empty()));
    }

    @Test
    void theBlockOfCanaryRolloutReceivesTheWeightAtEachStep() throws Exception {
        WorkflowRun b = start("def r = canaryRollout(configText: '''" + gate("10, 50", "", "", "") + "''') {\n"
                + "  echo \"block: weight=${env.PRODGATE_WEIGHT} step=${env.PRODGATE_STEP}\"\n"
                + "  semaphore 'shift'\n"
                + "}\n"
                + "echo \"verdict=${r.verdict} weight=${r.weight}\"");

        SemaphoreStep.waitForStart("shift/1", b);
        r.assertLogContains("block: weight=10 step=1", b);
        assertThat(labelled(b, "canaryRollout:").getDisplayName(), is("canaryRollout: shifting to step 1/2 (10 %)"));
        assertThat(status(b), startsWith("shifting to step 1/2 (10 %)"));
        prod.weight(10); // what the block's script would do on an agent
        SemaphoreStep.success("shift/1", null);
        r.waitForMessage("canaryRollout: step 1/2: 10 % of the traffic to the canary (the pipeline's block)", b);
        assertThat(labelled(b, "canaryRollout:").getDisplayName(), is("canaryRollout: baking step 1/2 (10 %)"));

        SemaphoreStep.waitForStart("shift/2", b);
        r.assertLogContains("block: weight=50 step=2", b);
        prod.weight(50);
        SemaphoreStep.success("shift/2", null);

        r.assertBuildStatusSuccess(r.waitForCompletion(b));
        r.assertLogContains("verdict=PASS weight=50", b);
        assertThat("no traffic action: the block shifted", prod.weightsAsked(), is(empty()));
        FlowNode step = labelled(b, "canaryRollout:");
        assertThat(step, notNullValue());
        assertThat(step.getDisplayName(), allOf(startsWith("canaryRollout: PASS"), endsWith("at step 2/2 (50 %)")));
    }

    @Test
    void aBlockThatFailsStopsTheBakeAsTrafficNotShifted() throws Exception {
        WorkflowRun b = start("def r = canaryRollout(configText: '''" + gate("10, 50", "", "", "") + "''') {\n"
                + "  error 'the load balancer said no'\n"
                + "}\n"
                + "echo \"verdict=${r.verdict}\"");
        r.assertBuildStatus(Result.UNSTABLE, r.waitForCompletion(b));
        r.assertLogContains("verdict=INCONCLUSIVE", b);
        r.assertLogContains(
                "the traffic action for step 1 (10 % on the canary) failed: the load balancer said no "
                        + "(in the pipeline's block)",
                b);
    }

    @Test
    void canaryRolloutNeedsStepsAndNoTrafficActionOfItsOwn() throws Exception {
        String oneStep = gate("10", "", "", "").replaceAll("(?s)  steps:\n.*?  traffic:\n    settle: 3s\n", "");
        WorkflowRun noSteps = start("canaryRollout(configText: '''" + oneStep + "''') { echo 'never' }");
        r.assertBuildStatus(Result.FAILURE, r.waitForCompletion(noSteps));
        r.assertLogContains("canaryRollout: configText: the gate file has no canary.steps", noSteps);
        r.assertLogNotContains("never", noSteps);

        WorkflowRun both = start(
                "canaryRollout(configText: '''" + gate("10, 50", httpTraffic(), "", "") + "''') { echo 'never' }");
        r.assertBuildStatus(Result.FAILURE, r.waitForCompletion(both));
        r.assertLogContains("canary.traffic.set and the block would both shift the traffic", both);
        assertThat(prod.weightsAsked(), is(empty()));
    }
}
