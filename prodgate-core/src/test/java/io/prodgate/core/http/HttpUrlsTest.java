package io.prodgate.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prodgate.core.http.HttpUrls.Problem;
import org.junit.jupiter.api.Test;

/** One rule for the gate file, the command line and Jenkins' settings; no message shows a password. */
class HttpUrlsTest {
    @Test
    void anHttpUrlWithAHostAndNoCredentialsIsFine() {
        assertThat(HttpUrls.check("https://prometheus.example:9090/api")).isEmpty();
        assertThat(HttpUrls.problem("http://127.0.0.1:8080", "x")).isEmpty();
    }

    @Test
    void eachProblemIsNamedWithoutEchoingCredentials() {
        assertThat(HttpUrls.check("https://admin:hunter2@host")).contains(Problem.CREDENTIALS);
        assertThat(HttpUrls.problem("https://admin:hunter2@host", "use passwordEnv"))
                .contains("must not carry credentials; use passwordEnv");
        assertThat(HttpUrls.check("ftp://host")).contains(Problem.NOT_HTTP);
        assertThat(HttpUrls.problem("ftp://admin:hunter2@host", "x"))
                .contains("must be an http:// or https:// URL, got 'ftp://host'");
        // "admin:" parses as the scheme here; the password must not be quoted all the same
        assertThat(HttpUrls.problem("admin:hunter2@host", "x")).contains("must be an http:// or https:// URL, got 'host'");
        assertThat(HttpUrls.check("http://host/a b")).contains(Problem.NOT_A_URL);
        assertThat(HttpUrls.problem("http://host/a b", "x").orElseThrow()).startsWith("is not a URL: ");
    }
}
