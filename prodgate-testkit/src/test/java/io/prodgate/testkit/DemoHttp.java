package io.prodgate.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Minimal blocking HTTP helper for tests (no background threads to leak). */
final class DemoHttp {

    record Reply(int status, String body, String contentType) {}

    private DemoHttp() {}

    static Reply get(String url) throws IOException {
        return get(url, null);
    }

    static Reply get(String url, String accept) throws IOException {
        HttpURLConnection c = open(url, "GET");
        if (accept != null) {
            c.setRequestProperty("Accept", accept);
        }
        return read(c);
    }

    static Reply post(String url, String jsonBody) throws IOException {
        return send("POST", url, jsonBody);
    }

    /** Any method, with a JSON body unless {@code jsonBody} is null. */
    static Reply send(String method, String url, String jsonBody) throws IOException {
        HttpURLConnection c = open(url, method);
        if (jsonBody != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(jsonBody.getBytes(StandardCharsets.UTF_8));
            }
        }
        return read(c);
    }

    private static HttpURLConnection open(String url, String method) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(2000);
        c.setReadTimeout(10_000);
        return c;
    }

    private static Reply read(HttpURLConnection c) throws IOException {
        try {
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = "";
            if (in != null) {
                try (in) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return new Reply(status, body, c.getContentType());
        } finally {
            c.disconnect();
        }
    }
}
