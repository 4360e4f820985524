package io.prodgate.core.gatefile;

import static io.prodgate.core.gatefile.GateFileLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.canary.Rollout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The gate-file examples of docs/progressive.md stay valid: its complete gate file, and each {@code traffic:} and
 * {@code rollback:} block put in the place of the complete file's own.
 */
class ProgressiveDocTest {
    private static final Pattern YAML = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    static List<String> yamlBlocks() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "progressive.md"));
        List<String> out = new ArrayList<>();
        Matcher m = YAML.matcher(doc);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static String complete(List<String> blocks) {
        List<String> full = blocks.stream().filter(b -> b.startsWith("version: 1\n")).toList();
        assertThat(full).as("docs/progressive.md has one complete gate file").hasSize(1);
        return full.get(0);
    }

    /** {@code file} with its {@code canary.traffic} block replaced by {@code traffic}, a block at the top level. */
    static String withTraffic(String file, String traffic) {
        Matcher m = Pattern.compile("(?m)^  traffic:\\n(?:^    .*\\n)*").matcher(file);
        assertThat(m.find()).as("the complete gate file has a canary.traffic block").isTrue();
        return file.substring(0, m.start()) + traffic.indent(2) + file.substring(m.end());
    }

    /** {@code file} with its {@code rollback} section, the last one, replaced by {@code rollback}. */
    static String withRollback(String file, String rollback) {
        int at = file.indexOf("\nrollback:\n");
        assertThat(at).as("the complete gate file ends with a rollback section").isPositive();
        return file.substring(0, at + 1) + rollback;
    }

    @Test
    void theCompleteGateFileIsAccepted() throws Exception {
        GateFile gate = parse(complete(yamlBlocks()));
        Rollout r = gate.requireCanary().rollout().orElseThrow();
        assertThat(r.steps()).extracting(Rollout.Step::weight).containsExactly(0.01, 0.10, 0.50);
        assertThat(gate.traffic()).isPresent();
        assertThat(gate.remediation().onFail()).isTrue();
        assertThat(gate.rollback()).isPresent();
    }

    @Test
    void everyTrafficActionIsAcceptedInTheCompleteGateFile() throws Exception {
        List<String> blocks = yamlBlocks();
        String file = complete(blocks);
        List<String> traffic = blocks.stream().filter(b -> b.startsWith("traffic:\n")).toList();
        assertThat(traffic).as("Gateway API, Istio, AWS ALB, HTTP admin endpoint").hasSize(4);
        for (String t : traffic) {
            GateFile gate = parse(withTraffic(file, t));
            assertThat(gate.traffic()).as(t).isPresent();
        }
    }

    @Test
    void everyKillSwitchRollbackIsAcceptedInTheCompleteGateFile() throws Exception {
        List<String> blocks = yamlBlocks();
        String file = complete(blocks);
        List<String> rollbacks = blocks.stream().filter(b -> b.startsWith("rollback:\n")).toList();
        assertThat(rollbacks).as("Unleash, flagd").hasSize(2);
        for (String rb : rollbacks) {
            GateFile gate = parse(withRollback(file, rb));
            assertThat(gate.rollback()).as(rb).hasValueSatisfying(r -> {
                assertThat(r.expectVersion()).isIn("false", "off");
                assertThat(r.rollForward()).isPresent();
            });
        }
    }
}
