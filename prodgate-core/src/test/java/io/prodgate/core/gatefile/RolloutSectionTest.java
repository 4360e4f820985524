package io.prodgate.core.gatefile;

import static io.prodgate.core.gatefile.GateFileLoaderTest.MINIMAL;
import static io.prodgate.core.gatefile.GateFileLoaderTest.parse;
import static io.prodgate.core.gatefile.GateFileLoaderTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.Rollout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code canary.steps} and {@code canary.traffic}: a progressive canary, read and checked like every field. */
class RolloutSectionTest {
    static String withSteps(String yaml) {
        return MINIMAL.replace("  slos:\n", yaml.indent(2) + "  slos:\n");
    }

    @Test
    void stepsAndTheirVerificationAreRead() throws Exception {
        CanarySpec spec = parse(withSteps("""
                interval: 30s
                steps:
                  - { weight: 1%, bake: 5m }
                  - { weight: 10, bake: 10m }
                  - { weight: "50 %", bake: 10m }
                traffic:
                  settle: 3m
                  tolerance: 20%
                """)).requireCanary();
        Rollout r = spec.rollout().orElseThrow();
        assertThat(r.steps()).extracting(Rollout.Step::weight).containsExactly(0.01, 0.10, 0.50);
        assertThat(r.steps()).extracting(Rollout.Step::bake)
                .containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(10));
        assertThat(r.settle()).isEqualTo(Duration.ofMinutes(3));
        assertThat(r.tolerance()).isEqualTo(0.2);
        assertThat(spec.bake()).as("the longest the rollout may take").isEqualTo(Duration.ofMinutes(34));
    }

    @Test
    void withoutStepsTheCanaryIsOneBakeAsBefore() throws Exception {
        assertThat(parse(MINIMAL).requireCanary().rollout()).isEmpty();
    }

    @Test
    void badStepsAreProblemsWithTheirFieldPaths() {
        assertThat(problems(withSteps("""
                steps:
                  - { weight: 10%, bake: 5m }
                  - { weight: 5%, bake: 5m }
                """))).isEqualTo("gate.yaml: canary.steps[1].weight: must be more than the step before's (10 %): "
                + "a rollout only goes up");
        assertThat(problems(withSteps("steps:\n  - { weight: 0, bake: 5m }\n")))
                .isEqualTo("gate.yaml: canary.steps[0].weight: must be more than 0 % and at most 100 %, got 0");
        assertThat(problems(withSteps("steps:\n  - { weight: 150%, bake: 5m }\n")))
                .contains("canary.steps[0].weight: must be more than 0 % and at most 100 %, got 150");
        assertThat(problems(withSteps("steps:\n  - { weight: 1% }\n")))
                .isEqualTo("gate.yaml: canary.steps[0].bake: is required: how long this step must hold once its "
                        + "shift is seen, e.g. 10m");
        assertThat(problems(withSteps("steps:\n  - { weight: 1%, bake: 5m, wait: 1m }\n")))
                .isEqualTo("gate.yaml: canary.steps[0].wait: unknown field; known fields: bake, weight");
        assertThat(problems(withSteps("steps: []\n"))).contains("canary.steps: must list at least one step");
        assertThat(problems(withSteps("bake: 30m\nsteps:\n  - { weight: 1%, bake: 5m }\n")))
                .contains("canary.bake: goes with one bake; a canary with steps bakes each step for its own bake");
        assertThat(problems(withSteps("traffic: { settle: 1m }\n")))
                .contains("canary.traffic: goes with steps");
        assertThat(problems(withSteps("interval: 1m\nsteps:\n  - { weight: 1%, bake: 5m }\ntraffic: { settle: 30s }\n")))
                .contains("canary.traffic.settle: must be at least the interval (1m)");
    }

    @Test
    void theTrafficActionTakesTheWeightAndNothingElse() throws Exception {
        String ok = withSteps("""
                steps:
                  - { weight: 5%, bake: 5m }
                traffic:
                  set: { command: { run: [kubectl, patch, httproute/checkout, --type=json, "-p=${weight}"] } }
                """);
        assertThat(parse(ok).traffic()).isPresent();
        assertThat(problems(ok.replace("${weight}", "${wieght}")))
                .contains("canary.traffic.set.command.run[4]: unknown placeholder ${wieght}");
    }

    @Test
    void aRelativeTrafficUrlAndStepsWithoutARatioSloAreProblems() {
        assertThat(problems(withSteps("""
                steps:
                  - { weight: 5%, bake: 5m }
                traffic:
                  set: { http: { url: /admin/weights, body: '{"canary": ${weight}}' } }
                """))).isEqualTo("gate.yaml: canary.traffic.set.http.url: must be an absolute URL (the load "
                + "balancer's or mesh's admin API): the canary section has no target to resolve it against");
        String valueOnly = withSteps("steps:\n  - { weight: 5%, bake: 5m }\n").replace("""
                    - name: availability
                      bad: 'sum(increase(req{${selector},code=~"5.."}[${window}]))'
                      total: 'sum(increase(req{${selector}}[${window}]))'
                      objective: 99.9
                """, """
                    - { name: cpu, query: 'max(cpu{${selector}})', max: 0.9 }
                """);
        assertThat(problems(valueOnly)).contains("canary.steps: need a ratio SLO");
    }
}
