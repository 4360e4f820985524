package io.prodgate.cli;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command's output that, as soon as {@code trigger} is printed, scrapes the metrics URL the command printed before
 * ({@code metrics: URL}): so the scrape happens while the command still runs, after it has recorded its verdict.
 */
final class ScrapingOutput extends StringWriter {
    private static final Pattern METRICS_URL = Pattern.compile("metrics: (http://127\\.0\\.0\\.1:\\d+/metrics)");
    private final String trigger;
    private String url;
    private String scraped;

    ScrapingOutput(String trigger) {
        this.trigger = trigger;
    }

    @Override
    public void write(String str) {
        super.write(str);
        scrapeOnTrigger();
    }

    @Override
    public void write(String str, int off, int len) {
        super.write(str, off, len);
        scrapeOnTrigger();
    }

    private void scrapeOnTrigger() {
        if (scraped == null && toString().contains(trigger)) {
            Matcher m = METRICS_URL.matcher(toString());
            url = m.find() ? m.group(1) : null;
            scraped = url == null ? "no metrics URL was printed before '" + trigger + "'" : get(url);
        }
    }

    /** What the metrics URL served when the trigger was printed, or why nothing. */
    String scraped() {
        return scraped;
    }

    String url() {
        return url;
    }

    /** The body at {@code url}, or "unreachable: ..." when nothing answers there. */
    static String get(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "unreachable: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
