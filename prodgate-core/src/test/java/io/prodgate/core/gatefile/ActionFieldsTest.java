package io.prodgate.core.gatefile;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.action.Action;
import io.prodgate.core.config.ConfigNode;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.config.GateFileException.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An action node read for a section that substitutes variables, as {@code canary.traffic.set} will be. */
class ActionFieldsTest {
    private static final Set<String> WEIGHT = Set.of("weight");

    @TempDir
    Path dir;

    private final List<Problem> problems = new ArrayList<>();

    private Action read(String set) throws Exception {
        String yaml = "canary:\n  traffic:\n    set: " + set + "\n";
        ConfigNode root = ConfigNode.root("gate.yaml", YamlTree.read("gate.yaml",
                yaml.getBytes(StandardCharsets.UTF_8)), problems);
        return ActionFields.read(root.requireObject("canary").requireObject("traffic").requireObject("set"), WEIGHT);
    }

    private List<String> problems(String set) throws Exception {
        read(set);
        assertThat(problems).as("the action must be refused").isNotEmpty();
        // reported as every gate-file problem is: the file, the field path and what is wrong
        return List.of(new GateFileException(problems).getMessage().split(System.lineSeparator()));
    }

    @Test
    void readsActionsThatUseTheirVariables() throws Exception {
        Action c = read("{ command: { run: [kubectl, argo, rollouts, set-weight, checkout, '${weight}'],"
                + " timeout: 20s, env: { KUBECONFIG: /etc/kube } } }");
        assertThat(problems).isEmpty();
        assertThat(((Action.Command) c).command().timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.withVariables(Map.of("weight", "10")).describe())
                .isEqualTo("kubectl argo rollouts set-weight checkout 10");

        Action h = read("{ http: { method: put, url: 'https://lb.example/pools/checkout?canary=${weight}',"
                + " body: '{\"canary\": ${weight}, \"stable\": \"rest\"}', expectStatus: 204 } }");
        assertThat(problems).isEmpty();
        Action.Http set = (Action.Http) h.withVariables(Map.of("weight", "0.5"));
        assertThat(set.request().url()).isEqualTo("https://lb.example/pools/checkout?canary=0.5");
        assertThat(set.request().body()).contains("{\"canary\": 0.5, \"stable\": \"rest\"}");
        assertThat(set.request().timeout()).isEqualTo(ActionFields.DEFAULT_HTTP_TIMEOUT);
        assertThat(set.expectStatus()).isEqualTo(204);

        read("{ http: { url: '/weights/${weight}' } }");
        assertThat(problems).isEmpty();
    }

    @Test
    void anUnknownVariableInAnArgumentIsNamedWithItsPath() throws Exception {
        assertThat(problems("{ command: { run: [sh, '-c', 'set-weight ${wieght} ${NAMESPACE}', '${weight}'] } }"))
                .containsExactly(
                        "gate.yaml: canary.traffic.set.command.run[2]: unknown placeholder ${wieght}; this action"
                                + " knows ${weight}; for the shell's own variable write $wieght, without braces",
                        "gate.yaml: canary.traffic.set.command.run[2]: unknown placeholder ${NAMESPACE}; this"
                                + " action knows ${weight}; for the shell's own variable write $NAMESPACE, without"
                                + " braces");
    }

    @Test
    void anUnknownOrUnclosedVariableInTheUrlOrBodyIsRefused() throws Exception {
        assertThat(problems("{ http: { url: 'https://lb.example/set?w=${percent}', body: '{\"w\": ${weight',"
                + " headers: { X-Weight: '${weight}' } } }")).containsExactlyInAnyOrder(
                "gate.yaml: canary.traffic.set.http.url: unknown placeholder ${percent}; this action knows ${weight}",
                "gate.yaml: canary.traffic.set.http.body: has ${ without a closing }; write a variable as ${weight}",
                "gate.yaml: canary.traffic.set.http.headers.X-Weight: ${weight} is replaced only in url and body,"
                        + " not here");
    }

    @Test
    void aVariableWhereNothingIsSubstitutedIsRefused() throws Exception {
        assertThat(problems("{ command: { run: [set-weight], env: { WEIGHT: '${weight}' }, workingDir: 'w${weight}' } }"))
                .containsExactlyInAnyOrder(
                        "gate.yaml: canary.traffic.set.command.env.WEIGHT: ${weight} is replaced only in run, not"
                                + " here",
                        "gate.yaml: canary.traffic.set.command.workingDir: ${weight} is replaced only in run, not"
                                + " here");
    }

    @Test
    void aUrlIsCheckedAsItWillBeSentAndShownAsWritten() throws Exception {
        assertThat(problems("{ http: { url: 'ftp://lb.example/set/${weight}' } }")).containsExactly(
                "gate.yaml: canary.traffic.set.http.url: must be an http:// or https:// URL, got"
                        + " 'ftp://lb.example/set/${weight}'");
    }

    @Test
    void theShapeIsThatOfTheRollbackAction() throws Exception {
        assertThat(problems("{ command: { run: [x] }, http: { url: /x }, shell: true }")).containsExactlyInAnyOrder(
                "gate.yaml: canary.traffic.set.shell: unknown field; known fields: command, http",
                "gate.yaml: canary.traffic.set: give command or http, not both");
    }

    /** A rollback action receives no variables: its shell scripts keep their own ${...} as before. */
    @Test
    void anActionWithoutVariablesTakesPlaceholdersAsText() {
        GateFile f = GateFiles.load(dir, """
                rollback:
                  action: { command: { run: ["sh", "-c", "kubectl rollout undo deploy/${APP:-checkout}"] } }
                  rollForward: { action: { http: { url: "http://127.0.0.1:9000/deploy", body: '{"v":"${v}"}' } },
                                 expectVersion: "1.4.2" }
                  expectVersion: "1.4.1"
                  version: { http: { url: "http://127.0.0.1:8080/version" } }
                """);
        Action.Command c = (Action.Command) f.rollback().orElseThrow().action();
        assertThat(c.command().run().get(2)).isEqualTo("kubectl rollout undo deploy/${APP:-checkout}");
        assertThat(c.command().timeout()).isEqualTo(ActionFields.DEFAULT_COMMAND_TIMEOUT);
        assertThat(((Action.Http) f.rollback().orElseThrow().rollForward().orElseThrow().action()).request().body())
                .contains("{\"v\":\"${v}\"}");
    }
}
