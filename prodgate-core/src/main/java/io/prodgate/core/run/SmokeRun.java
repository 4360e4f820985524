package io.prodgate.core.run;

import io.prodgate.core.config.GateFileException;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.report.SmokeHtml;
import io.prodgate.core.report.SmokeReports;
import io.prodgate.core.smoke.SmokeGate;
import io.prodgate.core.smoke.SmokeResult;
import io.prodgate.core.smoke.SmokeSpec;
import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One run of the smoke gate, whoever calls it: the gate file's smoke section with the caller's overrides, run once, its
 * verdict recorded in the gate metrics, its summary shown and every report asked for written.
 *
 * <p>Loading is apart from running, so that a caller can refuse its own bad options, or start serving metrics, between
 * a gate file that loaded and checks that begin.
 */
public final class SmokeRun {
    static final String GATE = "smoke";

    private final GateFile gate;
    private final SmokeSpec spec;

    private SmokeRun(GateFile gate, SmokeSpec spec) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /** Reads the gate file and its smoke section, with {@code overrides} applied. */
    public static SmokeRun load(Path gateFile, SmokeOverrides overrides) throws GateFileException {
        return of(GateFileLoader.load(gateFile), overrides);
    }

    /** The smoke section of a gate file already read (e.g. inline text), with {@code overrides} applied. */
    public static SmokeRun of(GateFile gate, SmokeOverrides overrides) throws GateFileException {
        return new SmokeRun(gate, overrides.apply(gate.requireSmoke()));
    }

    /** The section as it will run, overrides applied. */
    public SmokeSpec spec() {
        return spec;
    }

    /**
     * Runs the checks, records the verdict, shows the summary and writes the reports.
     *
     * @throws GateFileException when a relative URL has no target or a secret's environment variable is unset
     * @throws IOException       when a report cannot be written (the verdict is recorded and shown by then)
     */
    public SmokeResult run(RunContext context, ReportFiles reports) throws GateFileException, IOException {
        SmokeResult checked = new SmokeGate(context.clock(), context.env()).run(gate.ref(), spec);
        SmokeResult result = spec.advisory() ? checked.asAdvisory() : checked;
        context.metrics().ifPresent(m -> m.verdict(GATE, result.verdict(), result.advisory()));
        context.progress().summary(SmokeReports.summary(result));
        context.writeReports(reports, () -> SmokeReports.json(result) + System.lineSeparator(),
                () -> SmokeReports.junit(result), () -> SmokeHtml.render(result, spec.timeBox()));
        return result;
    }

    /** The process exit code for a result: its verdict's, or 0 whatever the verdict when it only advises. */
    public static int exitCode(SmokeResult result) {
        return result.advisory() ? Verdict.PASS.exitCode() : result.verdict().exitCode();
    }
}
