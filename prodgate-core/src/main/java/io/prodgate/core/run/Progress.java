package io.prodgate.core.run;

import java.nio.file.Path;

/** Where a gate run tells a person how it went: a terminal or CI log, or nowhere when the caller shows its own. */
public interface Progress {
    Progress SILENT = new Progress() {
        @Override
        public void summary(String text) {
        }

        @Override
        public void wrote(String what, Path file) {
        }
    };

    /** The gate's summary once its verdict is known: a few lines, each ending in a newline. */
    void summary(String text);

    /** A file was written; {@code what} names it ("JSON report", "proof"). */
    void wrote(String what, Path file);
}
