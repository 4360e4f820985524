package io.jenkins.plugins.prodgate.steps;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import hudson.model.Label;
import hudson.model.Result;
import hudson.slaves.DumbSlave;
import io.jenkins.plugins.prodgate.config.ProdgateConfiguration;
import io.jenkins.plugins.prodgate.gate.BuildRollbackProofs;
import io.jenkins.plugins.prodgate.testing.FakeProduction;
import io.jenkins.plugins.prodgate.ui.GateRecord;
import io.jenkins.plugins.prodgate.ui.GatesAction;
import java.io.File;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
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
class StagingSmokeAndRollbackStepTest {
    @RegisterExtension
    static final BuildWatcherExtension BUILD_WATCHER = new BuildWatcherExtension();

    private static final String AGENT = "staging";

    private FakeProduction prod;
    private JenkinsRule r;
    private DumbSlave agent;

    @BeforeEach
    void setUp(JenkinsRule rule) throws Exception {
        r = rule;
        prod = new FakeProduction();
        ProdgateConfiguration.get().setPrometheusUrl(prod.url());
        // Every node block runs on a real agent, a JVM of its own connected through remoting: the gates' callables,
        // prodgate-core, OkHttp and Jackson are loaded there through remoting's class loading, as in production.
        r.jenkins.setNumExecutors(0);
        agent = r.createOnlineSlave(Label.get(AGENT));
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

    private String smoke(String checks) {
        return """
                smoke:
                  target: %s
                  timeBox: 30s
                  checks:
                %s
                """.formatted(prod.url(), checks.indent(4).stripTrailing());
    }

    @Test
    void healthyStagingPasses() throws Exception {
        WorkflowRun b =
                run("""
                node {
                  writeFile file: 'gate.yaml', text: '''%s'''
                  def r = stagingSmoke config: 'gate.yaml'
                  echo "verdict=${r.verdict} junit=${r.junitPath} on=${env.NODE_NAME}"
                  echo(fileExists(r.junitPath) ? 'junit written' : 'no junit')
                }
                """.formatted(smoke("- name: up\n  http: { url: /healthz, expectStatus: 200 }")), Result.SUCCESS);
        // on the agent: its HTTP check (OkHttp) and its JSON report (Jackson) ran in the agent's JVM
        r.assertLogContains("verdict=PASS junit=prodgate-reports/staging-smoke.xml on=" + agent.getNodeName(), b);
        r.assertLogContains("junit written", b);
        assertThat(b.getAction(GatesAction.class).getGates().get(0).getHeadline(), is("1/1 checks passed"));
    }

    @Test
    void aFailedCheckFailsTheStage() throws Exception {
        WorkflowRun b = run(
                """
                node {
                  stage('Staging') {
                    stagingSmoke configText: '''%s'''
                  }
                }
                """.formatted(smoke("- name: missing page\n  http: { url: /nope, expectStatus: 200 }")),
                Result.FAILURE);
        r.assertLogContains("stagingSmoke: FAIL", b);
    }

    @Test
    void theBudgetOfTheAdministratorCapsTheGateFile() throws Exception {
        ProdgateConfiguration.get().setStagingMaxChecks(1);
        WorkflowRun b = run("""
                node {
                  stagingSmoke configText: '''%s'''
                }
                """.formatted(smoke("""
                - name: one
                  http: { url: /healthz }
                - name: two
                  http: { url: /version }
                """)), Result.FAILURE);
        // failed for the budget, not for a check: the administrator's 1 caps the gate file's 10
        r.assertLogContains("2 checks, more than budget.maxChecks 1", b);
        GateRecord gate = b.getAction(GatesAction.class).getGates().get(0);
        assertThat(gate.getVerdict(), is("FAIL"));
        assertThat(gate.getReasons(), hasItem(containsString("2 checks, more than budget.maxChecks 1")));
        // the step's error is the reason itself, as an AbortException: no stack trace in the log
        r.assertLogContains("ERROR: stagingSmoke: FAIL: ", b);
        r.assertLogNotContains("Found unhandled", b);
    }

    @Test
    void aProvenRollbackIsKeptForTheCanary() throws Exception {
        String gate = """
                rollback:
                  target: %s
                  action: { http: { url: /deploy/rollback, expectStatus: 202 } }
                  expectVersion: "1.4.1"
                  version: { http: { url: /version, jsonField: /version } }
                  health: { url: /healthz, expectStatus: 200 }
                  pollInterval: 50ms
                  deadline: 5s
                """.formatted(prod.url());
        WorkflowRun b = run("""
                node {
                  def r = verifyRollback configText: '''%s'''
                  echo "verdict=${r.verdict} proven=${r.proven} on=${env.NODE_NAME}"
                }
                def c = canaryGate requireRollbackProof: true, %s
                echo "canary=${c.verdict}"
                """.formatted(gate, CanaryGateStepTest.INLINE), Result.SUCCESS);
        r.assertLogContains("verdict=PASS proven=true on=" + agent.getNodeName(), b);
        r.assertLogContains("canary=PASS", b);
        assertThat(prod.version(), is("1.4.1"));
        assertThat(new File(new File(b.getRootDir(), GatesAction.DIR), BuildRollbackProofs.FILE).isFile(), is(true));
    }

    @Test
    void anUnprovenRollbackFailsTheStage() throws Exception {
        WorkflowRun b = run("""
                node {
                  verifyRollback configText: '''
                rollback:
                  target: %s
                  action: { http: { url: /deploy/rollback, expectStatus: 202 } }
                  expectVersion: "9.9.9"
                  version: { http: { url: /version, jsonField: /version } }
                  pollInterval: 50ms
                  deadline: 1s
                '''
                }
                """.formatted(prod.url()), Result.FAILURE);
        r.assertLogContains("verifyRollback: FAIL", b);
    }
}
