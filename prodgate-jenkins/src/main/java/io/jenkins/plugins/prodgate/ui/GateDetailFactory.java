package io.jenkins.plugins.prodgate.ui;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.model.Run;
import java.util.List;
import jenkins.model.Jenkins;
import jenkins.model.details.Detail;
import jenkins.model.details.DetailFactory;
import org.kohsuke.stapler.Stapler;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * The gates' verdicts among a build's details, as Jenkins core (2.498 and newer) shows them on the build page and as
 * Pipeline Graph View shows them on its Stages page: one line per gate, with its verdict, the figure the verdict is
 * about, and a link to its report, e.g. "canaryGate FAIL · availability canary 0.9 % bad vs baseline 0.3 % bad ·
 * report".
 */
@Extension
public final class GateDetailFactory extends DetailFactory<Run<?, ?>> {
    @SuppressWarnings("unchecked") // Run.class is the raw type of every Run<?, ?>
    private static final Class<Run<?, ?>> RUN = (Class<Run<?, ?>>) (Class<?>) Run.class;

    @Override
    public Class<Run<?, ?>> type() {
        return RUN;
    }

    @NonNull
    @Override
    public List<? extends Detail> createFor(@NonNull Run<?, ?> target) {
        GatesAction gates = target.getAction(GatesAction.class);
        if (gates == null) {
            return List.of();
        }
        return gates.getGates().stream().map(g -> new GateDetail(target, g)).toList();
    }

    /** One gate's line. */
    public static final class GateDetail extends Detail {
        private final Run<?, ?> run;
        private final GateRecord gate;

        GateDetail(Run<?, ?> run, GateRecord gate) {
            super(run);
            this.run = run;
            this.gate = gate;
        }

        public GateRecord getGate() {
            return gate;
        }

        @Override
        public String getIconClassName() {
            return gate.getIconClassName();
        }

        @Override
        public String getDisplayName() {
            return text(gate);
        }

        /** The report, or the build's gates page when there is none; from Jenkins' root, whatever page shows it. */
        @Override
        public String getLink() {
            String path = run.getUrl() + GatesAction.DIR + "/"
                    + (gate.getReport() == null ? "" : "reports/" + gate.getReport());
            return root() + path;
        }

        /** The line's text: the gate, its verdict, the figure, and "report" when the line links to one. */
        static String text(GateRecord gate) {
            StringBuilder line = new StringBuilder(gate.getGate()).append(' ').append(gate.getVerdict());
            if (!gate.getHeadline().isEmpty()) {
                line.append(" · ").append(gate.getHeadline());
            }
            if (gate.getReport() != null) {
                line.append(" · ").append(Messages.GateDetail_Report());
            }
            return line.toString();
        }

        @CheckForNull
        private static StaplerRequest2 request() {
            return Stapler.getCurrentRequest2();
        }

        private static String root() {
            StaplerRequest2 request = request();
            if (request != null) {
                return request.getContextPath() + "/";
            }
            Jenkins jenkins = Jenkins.getInstanceOrNull();
            String url = jenkins == null ? null : jenkins.getRootUrl();
            return url == null ? "/" : url;
        }
    }
}
