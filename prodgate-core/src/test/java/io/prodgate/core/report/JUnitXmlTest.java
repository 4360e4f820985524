package io.prodgate.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.report.JUnitXml.Outcome;
import io.prodgate.core.report.JUnitXml.TestCase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** JUnit XML stays well-formed whatever the names and messages hold. */
class JUnitXmlTest {
    /** Parses {@code xml} with a real XML parser; fails the test if it is not well-formed. */
    public static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void controlCharactersInEveryNameAndTextAreReplaced() throws Exception {
        String nasty = "a\u0000b\u0001c\u001bd\u007f\ud800e<&\"'>]]>";
        String xml = JUnitXml.render("suite " + nasty, Instant.EPOCH, List.of(
                new TestCase("cls " + nasty, "slo " + nasty, 1, Outcome.FAILED, "msg " + nasty, "detail " + nasty),
                new TestCase("cls", "skipped " + nasty, 0, Outcome.SKIPPED, nasty, ""),
                new TestCase("cls", "passed " + nasty, 0, Outcome.PASSED, "", "out " + nasty)));
        Document doc = parse(xml);
        Element suite = doc.getDocumentElement();
        assertThat(suite.getAttribute("name")).startsWith("suite a?b?c").contains("<&\"'>]]>");
        Element first = (Element) doc.getElementsByTagName("testcase").item(0);
        // DEL may stand in XML 1.0; a lone surrogate may not.
        assertThat(first.getAttribute("name")).isEqualTo("slo a?b?c?d\u007f?e<&\"'>]]>");
        assertThat(first.getAttribute("classname")).startsWith("cls a?b?c?d");
        assertThat(doc.getElementsByTagName("failure").item(0).getTextContent()).startsWith("detail a?b?c?d");
        assertThat(doc.getElementsByTagName("testcase").getLength()).isEqualTo(3);
    }
}
