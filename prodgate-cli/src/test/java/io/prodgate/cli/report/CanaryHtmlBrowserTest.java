package io.prodgate.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prodgate.core.canary.BakeRunner;
import io.prodgate.core.canary.BakeState;
import io.prodgate.core.canary.CanaryGate;
import io.prodgate.core.canary.CanarySpec;
import io.prodgate.core.canary.EvidencePolicy;
import io.prodgate.core.canary.RatioSlo;
import io.prodgate.core.canary.Reading;
import io.prodgate.core.canary.SloEvidence;
import io.prodgate.core.canary.ValueCheck;
import io.prodgate.core.report.CanaryHtml;
import io.prodgate.core.report.CanaryReport;
import io.prodgate.core.verdict.ProofRequirement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** The canary gate's HTML report, rendered in a real browser: what a person sees. */
class CanaryHtmlBrowserTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    /** A bake whose availability regresses 12 minutes in, beside a healthy latency SLO and a CPU check. */
    static CanaryReport regressedBake() throws Exception {
        CanarySpec spec = new CanarySpec("track=\"canary\"", "track=\"stable\"", Duration.ofMinutes(30),
                Duration.ofMinutes(1), 0.01, 2, CanarySpec.DEFAULT_NEGLIGIBLE_SHARE, Duration.ofMinutes(5), List.of(
                new RatioSlo("availability", "b{${selector}}[${window}]", false, "t{${selector}}[${window}]", 0.99, 0.1),
                new RatioSlo("latency", "s{${selector}}[${window}]", false, "t{${selector}}[${window}]", 0.95, 0.1),
                new ValueCheck("cpu", "c{${selector}}", OptionalDouble.empty(), OptionalDouble.of(0.8), 2)),
                EvidencePolicy.inconclusive(), false, Duration.ofHours(24), java.util.Optional.empty());
        Instant onset = T0.plus(Duration.ofMinutes(12));
        CanaryGate gate = new CanaryGate(spec, "sha256:demo", (s, start, from, at) -> List.of(
                new SloEvidence("availability", Reading.counts(at.isAfter(onset) ? 60 : 3, 1200), Reading.counts(30, 12000)),
                new SloEvidence("latency", Reading.counts(24, 1200), Reading.counts(240, 12000)),
                new SloEvidence("cpu", Reading.value(0.42), null)), ProofRequirement.none());
        BakeState done = new BakeRunner(gate, step -> { }).replay(gate.start(T0));
        return CanaryReport.of("checkout-gate.yaml", spec, done, "replay");
    }

    @Test
    void aPersonSeesTheVerdictTheReasonAndATimelinePerSlo(@TempDir Path profile) throws Exception {
        assumeTrue(Browser.installed(), "install the Debian packages chromium and chromium-driver");
        CanaryReport report = regressedBake();
        Path html = Path.of("target", "reports", "canary-report.html").toAbsolutePath();
        CanaryHtml.write(html, report);
        ChromeDriver browser = Browser.start(profile);
        try {
            browser.get(html.toUri().toString());
            assertThat(browser.getTitle()).isEqualTo("prodgate canary gate: FAIL");
            assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("FAIL");
            assertThat(browser.findElement(By.id("reasons")).getText())
                    .contains("availability: canary is worse than the baseline", "since 10m into the bake");
            List<WebElement> timelines = browser.findElements(By.cssSelector("svg.timeline"));
            assertThat(timelines).hasSize(3);
            WebElement availability = browser.findElement(By.id("timeline-availability"));
            assertThat(availability.findElements(By.cssSelector("polyline.canary"))).hasSize(1);
            assertThat(availability.findElements(By.cssSelector("polyline.baseline"))).hasSize(1);
            assertThat(availability.findElements(By.cssSelector("line.threshold"))).hasSize(1);
            assertThat(availability.findElement(By.cssSelector("text.decision-label")).getText()).startsWith("FAIL at 1");
            assertThat(availability.getSize().getWidth()).isGreaterThan(500);
            assertThat(browser.findElement(By.id("slos")).getText()).contains("REGRESSED", "HOLDING", "cpu", "last 0.42");
            Path png = Path.of("target", "reports", "canary-report.png");
            Files.write(png, browser.getScreenshotAs(OutputType.BYTES));
            assertThat(Files.size(png)).isGreaterThan(10_000);
        } finally {
            browser.quit();
        }
    }

    @Test
    void reportTextIsEscaped() throws Exception {
        CanaryReport report = regressedBake();
        CanaryReport hostile = new CanaryReport(report.gate(), "<script>alert(1)</script>.yaml", report.gateDigest(),
                report.mode(), report.verdict(), report.decidedAt(), report.startedAt(), report.endsAt(),
                List.of("<img src=x onerror=alert(1)>"), report.reasonDetails(), report.settings(), report.slos(),
                report.steps(), report.restore(), report.dryRun());
        String html = CanaryHtml.render(hostile);
        assertThat(html).doesNotContain("<script>", "<img").contains("&lt;script&gt;", "&lt;img src=x");
    }
}
