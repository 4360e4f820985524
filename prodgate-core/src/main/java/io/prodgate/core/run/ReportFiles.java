package io.prodgate.core.run;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Which reports a gate run writes, and where: JSON, JUnit XML for a CI's test view, a self-contained HTML page. */
public record ReportFiles(Optional<Path> json, Optional<Path> junit, Optional<Path> html) {
    public ReportFiles {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(junit, "junit");
        Objects.requireNonNull(html, "html");
    }

    public static ReportFiles none() {
        return new ReportFiles(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** From options as a command line parses them: null is a report not asked for. */
    public static ReportFiles of(Path json, Path junit, Path html) {
        return new ReportFiles(Optional.ofNullable(json), Optional.ofNullable(junit), Optional.ofNullable(html));
    }
}
