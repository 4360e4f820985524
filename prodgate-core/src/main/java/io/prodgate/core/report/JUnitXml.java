package io.prodgate.core.report;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * JUnit XML as CI test views read it (Jenkins' junit step, GitLab, GitHub annotations): one suite per gate run, one
 * test case per SLO or check, so the view shows which one failed. INCONCLUSIVE is a skipped case with its reason.
 */
public final class JUnitXml {
    /** How one case ended. */
    public enum Outcome { PASSED, FAILED, SKIPPED }

    /** One test case: an SLO of the canary gate, or a check of the smoke or rollback gate. */
    public record TestCase(String className, String name, double seconds, Outcome outcome, String message,
                           String detail) {
        public TestCase {
            Objects.requireNonNull(className, "className");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(outcome, "outcome");
            message = message == null ? "" : message;
            detail = detail == null ? "" : detail;
        }
    }

    private JUnitXml() {
    }

    public static String render(String suiteName, Instant timestamp, List<TestCase> cases) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("testsuite");
            w.writeAttribute("name", clean(suiteName));
            w.writeAttribute("tests", Integer.toString(cases.size()));
            w.writeAttribute("failures", Long.toString(cases.stream().filter(c -> c.outcome() == Outcome.FAILED).count()));
            w.writeAttribute("skipped", Long.toString(cases.stream().filter(c -> c.outcome() == Outcome.SKIPPED).count()));
            w.writeAttribute("errors", "0");
            w.writeAttribute("time", seconds(cases.stream().mapToDouble(TestCase::seconds).sum()));
            w.writeAttribute("timestamp", timestamp.toString());
            for (TestCase c : cases) {
                w.writeCharacters("\n  ");
                w.writeStartElement("testcase");
                w.writeAttribute("classname", clean(c.className()));
                w.writeAttribute("name", clean(c.name()));
                w.writeAttribute("time", seconds(c.seconds()));
                if (c.outcome() != Outcome.PASSED) {
                    w.writeStartElement(c.outcome() == Outcome.FAILED ? "failure" : "skipped");
                    w.writeAttribute("message", clean(c.message()));
                    if (c.outcome() == Outcome.FAILED) {
                        w.writeAttribute("type", "prodgate.GateFailure");
                    }
                    w.writeCharacters(clean(c.detail().isEmpty() ? c.message() : c.detail()));
                    w.writeEndElement();
                } else if (!c.detail().isEmpty()) {
                    w.writeStartElement("system-out");
                    w.writeCharacters(clean(c.detail()));
                    w.writeEndElement();
                }
                w.writeEndElement();
            }
            w.writeCharacters("\n");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing XML to a string cannot fail", e);
        }
        return out.toString();
    }

    public static void write(Path file, String suiteName, Instant timestamp, List<TestCase> cases) throws IOException {
        Reports.writeAtomically(file, render(suiteName, timestamp, cases));
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }

    /**
     * XML 1.0 cannot carry most control characters, even escaped, nor lone surrogates: command output may contain
     * them, and so may SLO and check names. Every text and attribute goes through here.
     */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            boolean allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
            b.appendCodePoint(allowed ? cp : '?');
        });
        return b.toString();
    }
}
