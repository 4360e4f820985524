package io.jenkins.plugins.prodgate.ui;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.FilePath;
import hudson.Functions;
import hudson.model.DirectoryBrowserSupport;
import hudson.model.Item;
import hudson.model.Run;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.RunAction2;
import org.kohsuke.stapler.export.Exported;
import org.kohsuke.stapler.export.ExportedBean;

/**
 * "Production gates" on the build page: every gate's verdict in this build, with its report. The reports lie in the
 * build's {@code prodgate} folder and are served from {@code <build>/prodgate/reports/}.
 */
@ExportedBean
public class GatesAction implements RunAction2 {
    /** The folder under the build's root directory that holds the reports and the rollback proof. */
    public static final String DIR = "prodgate";

    private final List<GateRecord> gates = new ArrayList<>();
    private transient Run<?, ?> run;

    /** Adds a gate's verdict to the build's action, creating it on the first gate, and saves the build. */
    public static void record(Run<?, ?> run, GateRecord gate) throws IOException {
        synchronized (GatesAction.class) { // parallel branches may finish gates at the same moment
            GatesAction action = run.getAction(GatesAction.class);
            if (action == null) {
                action = new GatesAction();
                action.gates.add(gate);
                run.addAction(action);
            } else {
                synchronized (action) {
                    action.gates.add(gate);
                }
            }
            run.save();
        }
    }

    /** The folder of this build's reports, created on demand. */
    public static File reportDir(Run<?, ?> run) throws IOException {
        File dir = new File(run.getRootDir(), DIR);
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new IOException("cannot create " + dir);
        }
        return dir;
    }

    @Exported
    public synchronized List<GateRecord> getGates() {
        return List.copyOf(gates);
    }

    /** The worst verdict of the build's gates, for the summary's heading. */
    public synchronized String getWorstVerdict() {
        String worst = "PASS";
        for (GateRecord g : gates) {
            if (g.getVerdict().equals("FAIL")) {
                return "FAIL";
            }
            if (g.getVerdict().equals("INCONCLUSIVE")) {
                worst = "INCONCLUSIVE";
            }
        }
        return worst;
    }

    public Run<?, ?> getRun() {
        return run;
    }

    /** Serves the report files; Jenkins' directory browser applies its Content-Security-Policy to them. */
    public DirectoryBrowserSupport doReports() {
        run.checkPermission(Item.READ);
        if (Functions
                .isArtifactsPermissionEnabled()) { // the reports are build artifacts, as Run.doArtifact() treats them
            run.checkPermission(Run.ARTIFACTS);
        }
        return new DirectoryBrowserSupport(
                this,
                new FilePath(new File(run.getRootDir(), DIR)),
                Messages.GatesAction_DisplayName(),
                "symbol-analytics",
                false);
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        this.run = r;
    }

    @CheckForNull
    @Override
    public String getIconFileName() {
        return "symbol-analytics";
    }

    @Override
    public String getDisplayName() {
        return Messages.GatesAction_DisplayName();
    }

    @Override
    public String getUrlName() {
        return DIR;
    }
}
