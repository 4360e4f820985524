package io.prodgate.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prodgate.cli.Main;
import io.prodgate.testkit.LocalPrometheus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale benchmark runs end to end at a tiny size against a real Prometheus: its table row and its growth rows are
 * printed, and no evaluation failed. Nothing about its figures is asserted: they are for reading.
 */
class ScaleBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void runsEndToEndAtATinySize() throws Exception {
        assumeTrue(LocalPrometheus.isInstalled(), LocalPrometheus.INSTALL_HINT);
        Path data = dir.resolve("data");
        ScaleData.write(data, Instant.now(), 2, 30, 7);
        try (LocalPrometheus prometheus = LocalPrometheus.builder().backfill(data.resolve("metrics.om")).build()
                .start()) {
            String table = run("benchmark-scale", "--data", data.toString(), "--prometheus", prometheus.url(),
                    "--bakes", "3", "--evaluations", "5", "--warmup", "1");
            assertThat(table).contains("row: | 3 | 5 |").containsPattern("\\| 0 \\|\\R")
                    .contains("0 evaluations with a source error, 0 exceptions, 0 out of memory");
            String growth = run("benchmark-scale", "--data", data.toString(), "--prometheus", prometheus.url(),
                    "--long", "12", "--long-bakes", "1", "--window", "3", "--warmup", "0");
            assertThat(growth).contains("growth row: | 1-3 |").contains("growth row: | 10-12 |")
                    .contains("growth row: | ratio |").contains("errors: 0 source, 0 exceptions, 0 out of memory");
        }
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as("exit code; stderr: %s; stdout: %s", err, out).isZero();
        return out.toString();
    }
}
