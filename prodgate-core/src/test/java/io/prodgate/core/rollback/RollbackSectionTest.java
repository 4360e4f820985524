package io.prodgate.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.prodgate.core.action.Action;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.gatefile.GateFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackSectionTest {
    @TempDir
    Path dir;

    private List<String> problems(String yaml) {
        Path f = GateFiles.write(dir, yaml);
        GateFileException e = catchThrowableOfType(GateFileException.class, () -> GateFileLoader.load(f));
        assertThat(e).as("the gate file must be rejected").isNotNull();
        return e.problems().stream().map(p -> {
            assertThat(p.file()).isEqualTo(f.toString());
            return p.path() + ": " + p.message();
        }).toList();
    }

    @Test
    void readsAFullSectionWithDefaults() {
        GateFile f = GateFiles.load(dir, """
                prometheus: { url: "http://127.0.0.1:9090" }
                rollback:
                  action: { command: { run: [kubectl, rollout, undo, deploy/checkout] } }
                  expectVersion: "1.4.1"
                  version: { http: { url: "http://127.0.0.1:8080/version", jsonField: /version } }
                  health: { url: "http://127.0.0.1:8080/healthz" }
                  sloQueries: [ { name: errors, query: 'sum(rate(errors_total[1m]))', max: 0.01 } ]
                  rollForward: { action: { http: { url: "http://127.0.0.1:9000/deploy", body: '{"v":"1.4.2"}' } }, expectVersion: "1.4.2" }
                """);
        RollbackSpec s = f.rollback().orElseThrow();
        assertThat(s.deadline()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(2));
        Action.Command c = (Action.Command) s.action();
        assertThat(c.command().timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.describe()).isEqualTo("kubectl rollout undo deploy/checkout");
        assertThat(((VersionSource.Http) s.version()).jsonField()).contains("/version");
        assertThat(s.health().orElseThrow().expectStatus()).isEqualTo(200);
        assertThat(s.sloQueries()).singleElement().satisfies(q -> assertThat(q.max()).hasValue(0.01));
        RollForwardSpec fwd = s.rollForward().orElseThrow();
        assertThat(((Action.Http) fwd.action()).request().method()).isEqualTo("POST");
        assertThat(fwd.deadline()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.needsPrometheus()).isTrue();
    }

    @Test
    void namesFieldAndProblemForEachMistake() {
        assertThat(problems("""
                rollback:
                  action: { command: { run: [undo] }, http: { url: /x } }
                  deadline: 10 minutes
                  version: { http: { url: /version, jsonField: version } }
                  health: { url: healthz, expectStatus: 999 }
                  sloQueries: [ { name: errors, query: 'x' } ]
                  pollIntervall: 2s
                """)).containsExactlyInAnyOrder(
                "rollback.pollIntervall: unknown field (did you mean 'pollInterval'?); known fields: action, deadline,"
                        + " expectVersion, health, pollInterval, restoreWithin, rollForward, sloQueries, target, version",
                "rollback.action: give command or http, not both",
                "rollback.deadline: not a duration: '10 minutes' (write e.g. 30s, 5m, 1h30m)",
                "rollback.expectVersion: is required",
                "rollback.version.http.jsonField: must be a JSON pointer such as /version, got 'version'",
                "rollback.health.url: must be an http(s):// URL or a path starting with / (relative to the target),"
                        + " got 'healthz'",
                "rollback.health.expectStatus: must be a whole number between 100 and 599, got 999",
                "rollback.sloQueries[0]: needs max, min or both");
    }

    @Test
    void actionAndVersionAreRequired() {
        assertThat(problems("rollback: { expectVersion: '1' }\n")).containsExactlyInAnyOrder(
                "rollback.action: is required",
                "rollback.action: needs command (run: [...]) or http (url: ...)",
                "rollback.version: is required",
                "rollback.version: needs http ({url, jsonField}) or promql (with label) to read the version");
    }

    @Test
    void theRollForwardMustGoSomewhereElse() {
        assertThat(problems("""
                rollback:
                  action: { command: { run: [undo] } }
                  expectVersion: "1.4.1"
                  version: { promql: 'max by (v) (build_info{${selector}})', label: v }
                  rollForward: { action: { command: { run: [redo] } }, expectVersion: "1.4.1" }
                """)).containsExactlyInAnyOrder(
                "rollback.version.selector: is required: promql uses ${selector}",
                "rollback.rollForward.expectVersion: must differ from expectVersion (1.4.1), or the roll-forward"
                        + " proves nothing");
    }
}
