package io.prodgate.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.report.RollbackHtml;
import io.prodgate.core.report.SmokeHtml;
import io.prodgate.core.rollback.RollbackGate;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.smoke.SmokeGate;
import io.prodgate.core.smoke.SmokeResult;
import io.prodgate.testkit.Behaviour;
import io.prodgate.testkit.SampleService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/** The smoke and rollback reports of real runs against a running service, rendered in a real browser. */
class SmokeAndRollbackHtmlBrowserTest {
    static GateFile gate(String yaml) throws Exception {
        return GateFileLoader.parse(Path.of("gate.yaml"), yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void smokeReportShowsEachCheckItsEvidenceAndTimings(@TempDir Path profile) throws Exception {
        assumeTrue(Browser.installed(), "install the Debian packages chromium and chromium-driver");
        try (SampleService staging = SampleService.start("staging", Behaviour.defaults())) {
            GateFile smokeGate = gate("""
                    smoke:
                      target: %s
                      timeBox: 20s
                      checks:
                        - name: healthy
                          health: { url: /healthz, deadline: 10s, interval: 200ms }
                        - name: version answers
                          http: { url: /version, jsonField: { path: /version, equals: "1.4.2" } }
                        - name: checkout answers
                          http: { url: /api/checkout, expectStatus: 200, maxLatency: 2s }
                        - name: migrations applied
                          command: { run: ["sh", "-c", "echo 'schema up to date'; exit 3"], timeout: 5s }
                    """.formatted(staging.url()));
            SmokeResult result = SmokeGate.system().run(smokeGate.ref(), smokeGate.requireSmoke());
            Path html = Path.of("target", "reports", "smoke-report.html").toAbsolutePath();
            SmokeHtml.write(html, result, java.time.Duration.ofSeconds(20));
            ChromeDriver browser = Browser.start(profile);
            try {
                browser.get(html.toUri().toString());
                assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("FAIL");
                String checks = browser.findElement(By.id("checks")).getText();
                assertThat(checks).contains("healthy", "version answers", "checkout answers", "migrations applied",
                        "exit 3", "schema up to date");
                assertThat(browser.findElements(By.cssSelector("#smoke-timings rect.bar.passed"))).hasSize(3);
                assertThat(browser.findElements(By.cssSelector("#smoke-timings rect.bar.failed"))).hasSize(1);
                assertThat(browser.findElement(By.cssSelector("#smoke-timings .limit")).getText()).startsWith("time box: 20 s");
                Files.write(Path.of("target", "reports", "smoke-report.png"), browser.getScreenshotAs(OutputType.BYTES));
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void rollbackReportShowsBothPhasesAndThePolls(@TempDir Path profile) throws Exception {
        assumeTrue(Browser.installed(), "install the Debian packages chromium and chromium-driver");
        try (SampleService canary = SampleService.start("canary", Behaviour.defaults())) {
            GateFile rollbackGate = gate("""
                    rollback:
                      target: %s
                      action: { http: { method: POST, url: /admin/behaviour, body: '{"version":"1.4.1"}' } }
                      expectVersion: "1.4.1"
                      deadline: 10s
                      pollInterval: 200ms
                      version: { http: { url: /version, jsonField: /version } }
                      health: { url: /healthz }
                      rollForward:
                        action: { http: { method: POST, url: /admin/behaviour, body: '{"version":"1.4.2"}' } }
                        expectVersion: "1.4.2"
                    """.formatted(canary.url()));
            RollbackProof proof = RollbackGate.system().run(rollbackGate.ref(), rollbackGate.prometheus(),
                    rollbackGate.requireRollback());
            assertThat(proof.proven()).isTrue();
            Path html = Path.of("target", "reports", "rollback-report.html").toAbsolutePath();
            RollbackHtml.write(html, proof);
            ChromeDriver browser = Browser.start(profile);
            try {
                browser.get(html.toUri().toString());
                assertThat(browser.getTitle()).isEqualTo("prodgate rollback proof: PASS");
                assertThat(browser.findElement(By.tagName("header")).getText()).contains("Proven", "rolled back in");
                assertThat(browser.findElement(By.id("phase-rollback")).getText()).contains("1.4.2 → 1.4.1", "verified");
                assertThat(browser.findElement(By.id("phase-roll-forward")).getText()).contains("1.4.1 → 1.4.2");
                assertThat(browser.findElements(By.cssSelector("#rollback-timings rect.bar.passed"))).hasSize(4);
                Files.write(Path.of("target", "reports", "rollback-report.png"), browser.getScreenshotAs(OutputType.BYTES));
            } finally {
                browser.quit();
            }
        }
    }
}
