package io.prodgate.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.prodgate.core.gatefile.GateFile;
import io.prodgate.core.gatefile.GateFileLoader;
import io.prodgate.core.report.CanaryHtml;
import io.prodgate.core.report.RollbackHtml;
import io.prodgate.core.report.SmokeHtml;
import io.prodgate.core.smoke.SmokeGate;
import io.prodgate.core.rollback.RollbackGate;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.smoke.SmokeResult;
import io.prodgate.testkit.Behaviour;
import io.prodgate.testkit.SampleService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The HTML reports served as Jenkins serves build artifacts, under {@code default-src 'none'; style-src 'self'}: the
 * stylesheet beside the report applies, and nothing inline is needed: the page's policy reports no violation (an
 * inline style would be blocked, as the control page shows).
 */
class ReportsUnderCspBrowserTest {
    static final String CSP = "default-src 'none'; style-src 'self'";
    @TempDir
    Path site;
    HttpServer server;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Path file = site.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            byte[] body = file.startsWith(site) && Files.isRegularFile(file) ? Files.readAllBytes(file) : new byte[0];
            exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
            exchange.getResponseHeaders().set("Content-Type",
                    file.toString().endsWith(".css") ? "text/css" : "text/html; charset=utf-8");
            exchange.sendResponseHeaders(body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url(String file) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + file;
    }

    /**
     * Opens {@code file} with a {@code securitypolicyviolation} listener in place before the page's own content (added
     * through the DevTools protocol, which the page's policy does not apply to), so every blocked inline style,
     * script or resource is recorded.
     */
    static void open(ChromeDriver browser, String url) {
        browser.executeCdpCommand("Page.enable", Map.of());
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                window.__cspViolations = [];
                document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
                    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')));
                """));
        browser.get(url);
    }

    /** What the page's policy blocked so far: directive, what was blocked, a sample of it. */
    @SuppressWarnings("unchecked")
    static List<String> violations(ChromeDriver browser) {
        // violation events are queued as tasks: let them be dispatched first
        Object found = browser.executeAsyncScript(
                "const done = arguments[arguments.length - 1]; setTimeout(() => done(window.__cspViolations), 200);");
        return found == null ? List.of() : (List<String>) found;
    }

    @Test
    void theListenerSeesWhatThePolicyBlocks(@TempDir Path profile) throws Exception {
        // the control: a page with an inline style and an inline style attribute is served under the same header,
        // and both are reported (so an empty list below means nothing was blocked, not that nothing was seen)
        assumeTrue(Browser.installed(), "install the Debian packages chromium and chromium-driver");
        Files.writeString(site.resolve("inline.html"), """
                <!DOCTYPE html><html><head><style>p { color: rgb(1, 2, 3); }</style></head>
                <body><p id="p" style="margin-left: 33px">inline</p></body></html>
                """);
        ChromeDriver browser = Browser.start(profile);
        try {
            open(browser, url("inline.html"));
            assertThat(browser.findElement(By.id("p")).getCssValue("color")).isNotEqualTo("rgba(1, 2, 3, 1)");
            assertThat(browser.findElement(By.id("p")).getCssValue("margin-left")).isNotEqualTo("33px");
            assertThat(violations(browser)).hasSizeGreaterThanOrEqualTo(2).allMatch(v -> v.startsWith("style-src"));
        } finally {
            browser.quit();
        }
    }

    @Test
    void theCanaryReportIsStyledUnderJenkinsContentSecurityPolicy(@TempDir Path profile) throws Exception {
        assumeTrue(Browser.installed(), "install the Debian packages chromium and chromium-driver");
        CanaryHtml.write(site.resolve("canary.html"), CanaryHtmlBrowserTest.regressedBake());
        String page = Files.readString(site.resolve("canary.html"));
        assertThat(page).doesNotContain("style=", "<style", "<script").contains("href=\"prodgate-report.css\"");
        assertThat(site.resolve("prodgate-report.css")).exists();
        ChromeDriver browser = Browser.start(profile);
        try {
            open(browser, url("canary.html"));
            assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("FAIL");
            // the FAIL header's red and the legend's colours come from the stylesheet: styled, not blocked
            assertThat(browser.findElement(By.cssSelector("header")).getCssValue("background-color"))
                    .isEqualTo("rgba(179, 38, 30, 1)");
            assertThat(browser.findElement(By.cssSelector(".legend i.canary")).getCssValue("background-color"))
                    .isEqualTo("rgba(194, 65, 12, 1)");
            assertThat(browser.findElement(By.cssSelector("section")).getCssValue("border-radius")).isEqualTo("8px");
            assertThat(violations(browser)).isEmpty();
        } finally {
            browser.quit();
        }
    }

    @Test
    void theSmokeReportIsStyledUnderJenkinsContentSecurityPolicy(@TempDir Path profile) throws Exception {
        assumeTrue(Browser.installed(), "install the Debian packages chromium and chromium-driver");
        GateFile gate = GateFileLoader.parse(Path.of("gate.yaml"), """
                smoke:
                  target: http://127.0.0.1:9
                  timeBox: 20s
                  checks:
                    - name: migrations applied
                      command: { run: ["sh", "-c", "echo 'schema up to date'"], timeout: 5s, outputContains: "up to date" }
                """.getBytes(StandardCharsets.UTF_8));
        SmokeResult result = SmokeGate.system().run(gate.ref(), gate.requireSmoke());
        SmokeHtml.write(site.resolve("smoke.html"), result, Duration.ofSeconds(20));
        assertThat(Files.readString(site.resolve("smoke.html"))).doesNotContain("style=", "<style", "<script");
        ChromeDriver browser = Browser.start(profile);
        try {
            open(browser, url("smoke.html"));
            assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("PASS");
            assertThat(browser.findElement(By.cssSelector("header")).getCssValue("background-color"))
                    .isEqualTo("rgba(31, 122, 63, 1)");
            assertThat(violations(browser)).isEmpty();
        } finally {
            browser.quit();
        }
    }

    @Test
    void theRollbackReportIsStyledUnderJenkinsContentSecurityPolicy(@TempDir Path profile) throws Exception {
        assumeTrue(Browser.installed(), "install the Debian packages chromium and chromium-driver");
        try (SampleService canary = SampleService.start("canary", Behaviour.defaults())) {
            GateFile gate = GateFileLoader.parse(Path.of("gate.yaml"), """
                    rollback:
                      target: %s
                      action: { http: { method: POST, url: /admin/behaviour, body: '{"version":"1.4.1"}' } }
                      expectVersion: "1.4.1"
                      deadline: 10s
                      pollInterval: 200ms
                      version: { http: { url: /version, jsonField: /version } }
                      health: { url: /healthz }
                    """.formatted(canary.url()).getBytes(StandardCharsets.UTF_8));
            RollbackProof proof = RollbackGate.system().run(gate.ref(), gate.prometheus(), gate.requireRollback());
            RollbackHtml.write(site.resolve("rollback.html"), proof);
            assertThat(Files.readString(site.resolve("rollback.html"))).doesNotContain("style=", "<style", "<script");
            ChromeDriver browser = Browser.start(profile);
            try {
                open(browser, url("rollback.html"));
                assertThat(browser.findElement(By.cssSelector("header")).getCssValue("background-color"))
                        .isEqualTo("rgba(31, 122, 63, 1)");
                assertThat(browser.findElements(By.cssSelector("#rollback-timings rect.bar.passed"))).isNotEmpty();
                assertThat(violations(browser)).isEmpty();
            } finally {
                browser.quit();
            }
        }
    }
}
