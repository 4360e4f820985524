package io.prodgate.core.report;

import io.prodgate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A small builder for HTML reports: the page with inline SVG and no script, and one stylesheet beside it
 * ({@value #STYLESHEET}), nothing fetched from elsewhere. No inline style either, so the page renders as designed
 * under a strict Content-Security-Policy such as Jenkins' {@code default-src 'none'; style-src 'self'}.
 */
final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    /** The stylesheet every report links to, written beside it. */
    static final String STYLESHEET = "prodgate-report.css";
    static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
            header{padding:20px 32px;color:#fff}
            header.PASS{background:#1f7a3f}header.FAIL{background:#b3261e}header.INCONCLUSIVE{background:#8a5a00}
            header h1{margin:0;font-size:22px}header .verdict{font-size:34px;font-weight:700;letter-spacing:.5px}
            header .meta{opacity:.9;margin-top:4px}
            main{padding:16px 32px 40px;max-width:1100px}
            section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:16px 20px;margin:16px 0}
            h2{font-size:17px;margin:0 0 10px}
            ul.reasons{margin:0;padding-left:20px}
            table{border-collapse:collapse;width:100%}
            th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e4e6eb;vertical-align:top}
            th{font-weight:600;color:#4a5263;font-size:12px;text-transform:uppercase;letter-spacing:.4px}
            .tag{display:inline-block;border-radius:4px;padding:1px 7px;font-size:12px;font-weight:600;color:#fff}
            .tag.PASS,.tag.HELD,.tag.passed{background:#1f7a3f}.tag.FAIL,.tag.REGRESSED,.tag.BREACHED,.tag.failed{background:#b3261e}
            .tag.INCONCLUSIVE,.tag.NOT_RULED_OUT,.tag.NO_DATA,.tag.BASELINE_UNHEALTHY,.tag.HOLDING,.tag.skipped{background:#8a5a00}
            .muted{color:#6b7385}.legend span{margin-right:16px}.legend i{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:5px}
            pre{white-space:pre-wrap;background:#f5f6f8;padding:8px;border-radius:4px;margin:4px 0;font-size:12px}
            svg text{font:11px system-ui,sans-serif;fill:#4a5263}
            """ + ".legend i.canary{background:" + TimelineSvg.CANARY + "}.legend i.baseline{background:"
            + TimelineSvg.BASELINE + "}\n.legend i.budget{border-top:2px dashed " + TimelineSvg.THRESHOLD + ";height:0}\n";

    private final StringBuilder b = new StringBuilder();

    Html(String title, Verdict verdict, String subtitle) {
        this(title, verdict == null ? "INCONCLUSIVE" : verdict.name(), verdict == null ? "INCONCLUSIVE"
                : verdict.name(), subtitle);
    }

    /** A page whose header shows {@code headline}, coloured as the verdict {@code tone} (PASS, FAIL, INCONCLUSIVE). */
    Html(String title, String tone, String headline, String subtitle) {
        String v = tone;
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(title)).append(": ").append(esc(headline)).append("</title>")
                .append("<link rel=\"stylesheet\" href=\"").append(STYLESHEET).append("\">")
                .append("</head><body>\n<header class=\"").append(v).append("\"><h1>").append(esc(title))
                .append("</h1><div class=\"verdict\" id=\"verdict\">").append(esc(headline))
                .append("</div><div class=\"meta\">")
                .append(esc(subtitle)).append("</div></header>\n<main>\n");
    }

    Html raw(String html) {
        b.append(html);
        return this;
    }

    Html text(String s) {
        b.append(esc(s));
        return this;
    }

    Html sectionStart(String title, String id) {
        b.append("<section id=\"").append(esc(id)).append("\"><h2>").append(esc(title)).append("</h2>\n");
        return this;
    }

    Html sectionEnd() {
        b.append("</section>\n");
        return this;
    }

    Html reasons(java.util.List<String> reasons) {
        sectionStart("Why", "reasons");
        b.append("<ul class=\"reasons\">");
        for (String r : reasons) {
            b.append("<li>").append(esc(r)).append("</li>");
        }
        if (reasons.isEmpty()) {
            b.append("<li class=\"muted\">no reasons recorded</li>");
        }
        b.append("</ul>\n");
        return sectionEnd();
    }

    static String tag(String value) {
        return "<span class=\"tag " + esc(value) + "\">" + esc(value) + "</span>";
    }

    String finish() {
        b.append("<p class=\"muted\">Written by prodgate.</p>\n</main></body></html>\n");
        return b.toString();
    }

    /** Writes a rendered page to {@code file} and the stylesheet beside it, each atomically. */
    static void write(Path file, String page) throws IOException {
        Reports.writeAtomically(file, page);
        Path folder = file.toAbsolutePath().getParent();
        if (folder == null) {
            throw new IOException("not a report file: " + file);
        }
        Path css = folder.resolve(STYLESHEET);
        if (!Files.isRegularFile(css) || !Files.readString(css, StandardCharsets.UTF_8).equals(STYLE)) {
            Reports.writeAtomically(css, STYLE);
        }
    }

    static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
