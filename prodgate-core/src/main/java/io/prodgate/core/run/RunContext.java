package io.prodgate.core.run;

import io.prodgate.core.metrics.GateMetrics;
import io.prodgate.core.report.ReportStylesheet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What differs between the callers of a gate run (the CLI, a CI step, a test): the clock, where secrets are read, where
 * progress goes, where files land, and the gate metrics, if any, that record the verdict.
 */
public final class RunContext {
    private final Clock clock;
    private final Map<String, String> env;
    private final Progress progress;
    private final FileSink files;
    private final Optional<ServiceMetrics> metrics;

    private RunContext(Builder b) {
        clock = b.clock;
        env = Map.copyOf(b.env);
        progress = b.progress;
        files = b.files;
        metrics = b.metrics;
    }

    /** Starts from the system clock and environment, silent, writing local files, recording no metrics. */
    public static Builder builder() {
        return new Builder();
    }

    Clock clock() {
        return clock;
    }

    Map<String, String> env() {
        return env;
    }

    Progress progress() {
        return progress;
    }

    Optional<ServiceMetrics> metrics() {
        return metrics;
    }

    /** Writes a file, if asked for, and says so. */
    void write(String what, Optional<Path> file, Supplier<String> content) throws IOException {
        if (file.isPresent()) {
            files.write(file.get(), content.get());
            progress.wrote(what, file.get());
        }
    }

    /** Writes the reports asked for, in the order the commands have always listed them. */
    void writeReports(ReportFiles reports, Supplier<String> json, Supplier<String> junit, Supplier<String> html)
            throws IOException {
        write("JSON report", reports.json(), json);
        write("JUnit XML", reports.junit(), junit);
        write("HTML report", reports.html(), html);
        if (reports.html().isPresent()) {
            // the page links to its stylesheet instead of inlining it (a strict CSP would block inline styles)
            Path page = reports.html().get().toAbsolutePath();
            files.write(page.resolveSibling(ReportStylesheet.FILE_NAME), ReportStylesheet.content());
        }
    }

    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Map<String, String> env = System.getenv();
        private Progress progress = Progress.SILENT;
        private FileSink files = FileSink.LOCAL;
        private Optional<ServiceMetrics> metrics = Optional.empty();

        private Builder() {
        }

        /** Timestamps, deadlines and proof ages. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where {@code headersFromEnv} values and other secrets named by environment variable are read. */
        public Builder env(Map<String, String> env) {
            this.env = Objects.requireNonNull(env, "env");
            return this;
        }

        public Builder progress(Progress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        public Builder files(FileSink files) {
            this.files = Objects.requireNonNull(files, "files");
            return this;
        }

        /** Records each verdict (and each rollback's duration) in {@code metrics}, labelled with {@code service}. */
        public Builder metrics(GateMetrics metrics, String service) {
            this.metrics = Optional.of(new ServiceMetrics(metrics, service));
            return this;
        }

        public RunContext build() {
            return new RunContext(this);
        }
    }
}
