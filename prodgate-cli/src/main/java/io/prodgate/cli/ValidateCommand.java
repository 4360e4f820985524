package io.prodgate.cli;

import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.SloSpec;
import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.util.Durations;
import io.prodgate.core.util.Numbers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prodgate validate}: checks a gate file without touching any system. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a gate file: every problem is reported with its field path. Exit 0 if valid, 64 if not.")
public final class ValidateCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gate file (YAML or JSON).")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws GateFileException {
        GateFile gate = GateFileLoader.load(config);
        List<String> warnings = warnings(gate, System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        out.println(config + ": valid (" + gate.digest().substring(0, 19) + ")");
        gate.prometheus().ifPresent(p -> out.println("  prometheus: " + p.url()));
        gate.smoke().ifPresent(s -> out.println("  smoke: " + s.checks().size() + " checks in a time box of "
                + Durations.human(s.timeBox()) + " (budget: " + s.budget().maxChecks() + " checks, "
                + Durations.human(s.budget().maxDuration()) + ")"));
        gate.canary().ifPresent(c -> describe(c, out));
        gate.rollback().ifPresent(r -> out.println("  rollback: back to " + r.expectVersion() + " within "
                + Durations.human(r.deadline()) + (r.rollForward().isPresent() ? ", then forward again" : "")));
        if (gate.smoke().isEmpty() && gate.canary().isEmpty() && gate.rollback().isEmpty()) {
            out.println("  warning: no gate section (smoke, canary or rollback): no gate can run from this file");
        }
        for (String warning : warnings) {
            out.println("  warning: " + warning);
        }
        return ExitCodes.PASS;
    }

    private static void describe(CanarySpec c, PrintWriter out) {
        out.println("  canary: bake " + Durations.human(c.bake()) + ", evaluated every " + Durations.human(c.interval())
                + ", false-alarm rate " + c.falseAlarmRate() + ", " + c.slos().size() + " SLOs");
        for (SloSpec slo : c.slos()) {
            if (slo instanceof RatioSlo r) {
                out.printf("    %s: ratio, objective %s, tolerance %s%n", r.name(), Numbers.percent(r.objective()),
                        Numbers.percent(r.tolerance()));
            } else {
                out.printf("    %s: value check%n", slo.name());
            }
        }
        c.rollout().ifPresent(r -> out.println("    steps: " + String.join(" -> ", r.steps().stream()
                .map(st -> Numbers.percent(st.weight()) + " for " + Durations.human(st.bake())).toList())
                + ", each shift seen within " + Durations.human(r.settle())));
    }

    /**
     * Secrets are resolved when a gate runs, and may well be absent where a file is validated: a missing one is only
     * worth a warning. One that is there but unusable (a line break in a token) is an error, as the gates would
     * refuse it.
     *
     * @throws GateFileException listing every secret that is present but unusable
     */
    static List<String> warnings(GateFile gate, Map<String, String> env) throws GateFileException {
        List<String> out = new ArrayList<>();
        List<GateFileException.Problem> invalid = new ArrayList<>();
        for (GateFile.SecretUse use : gate.secretUses()) {
            try {
                use.resolve(gate.name(), env, gate.baseDir());
            } catch (GateFileException e) {
                if (use.ref().isAvailable(env, gate.baseDir())) {
                    invalid.addAll(e.problems());
                } else {
                    out.add(e.getMessage() + " (needed when the gate runs)");
                }
            }
        }
        if (!invalid.isEmpty()) {
            throw new GateFileException(invalid);
        }
        return out;
    }
}
