package io.prodgate.core.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.report.SmokeReports;
import io.prodgate.core.verdict.Reason;
import io.prodgate.core.verdict.ReasonType;
import io.prodgate.core.verdict.Verdict;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class SmokeReportsTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path dir;

    private static SmokeResult sample() {
        CheckEvidence ok = new CheckEvidence(200, Duration.ofMillis(12), "{\"status\":\"ok\"}", null, 1, T0,
                T0.plusMillis(12), Duration.ofMillis(12));
        CheckEvidence bad = new CheckEvidence(null, null, "<b>&\"quoted\" \u0001 é</b>", 2, 1, T0, T0.plusSeconds(1),
                Duration.ofSeconds(1));
        return new SmokeResult(Verdict.FAIL,
                List.of(new Reason(ReasonType.CHECK_FAILED, "mig <1>", "mig <1>: exit 2, expected 0")),
                List.of(), List.of(
                new CheckResult("api", "http", "GET http://127.0.0.1:1/api", CheckOutcome.PASSED, "HTTP 200 in 12ms", ok),
                new CheckResult("mig <1>", "command", "sh -c 'x & y'", CheckOutcome.FAILED, "exit 2, expected 0", bad),
                new CheckResult("later", "http", "GET /x", CheckOutcome.NOT_RUN, "not run: unhealthy",
                        CheckEvidence.notRun(T0))),
                T0, T0.plusSeconds(2), "gate.yaml", "sha256:ab", "http://127.0.0.1:1");
    }

    @Test
    void jsonRoundTrips() throws Exception {
        SmokeResult r = sample();
        Path f = dir.resolve("out/smoke.json");
        SmokeReports.writeJson(f, r);
        assertThat(SmokeReports.readJson(f)).isEqualTo(r);
        assertThat(SmokeReports.json(r)).contains("\"startedAt\" : \"2026-01-02T03:04:05Z\"")
                .contains("\"duration\" : \"PT1S\"");
    }

    @Test
    void junitHasOneEscapedTestcasePerCheck() throws Exception {
        String xml = SmokeReports.junit(sample());
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element suite = doc.getDocumentElement();
        assertThat(suite.getAttribute("tests")).isEqualTo("3");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        assertThat(suite.getAttribute("skipped")).isEqualTo("1");
        var cases = suite.getElementsByTagName("testcase");
        assertThat(((Element) cases.item(1)).getAttribute("name")).isEqualTo("mig <1>");
        Element failure = (Element) ((Element) cases.item(1)).getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("exit 2, expected 0");
        assertThat(failure.getTextContent()).contains("<b>&\"quoted\" ? é</b>").contains("sh -c 'x & y'");
        assertThat(((Element) cases.item(2)).getElementsByTagName("skipped").getLength()).isEqualTo(1);
    }

    @Test
    void summaryHasALinePerCheckAndTheVerdict() {
        String s = SmokeReports.summary(sample());
        assertThat(s).contains("PASS api [http] HTTP 200 in 12ms")
                .contains("FAIL mig <1> [command] exit 2, expected 0")
                .contains("SKIP later [http] not run: unhealthy")
                .contains("smoke FAIL in 2s: mig <1>: exit 2, expected 0");
    }
}
