package io.prodgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets that cannot be sent are gate-file errors naming the field, never a crash, and never quoted. */
class SecretRefTest {
    private static final String TOKEN = "s3cr3t-4f9a";
    private static final SecretRef ENV = new SecretRef(SecretRef.Kind.ENV, "PROM_TOKEN", "prometheus.bearerTokenEnv");

    @TempDir
    Path dir;

    @Test
    void aLineBreakInASecretIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> ENV.resolve("gate.yaml", Map.of("PROM_TOKEN", TOKEN + "\nX-Evil: 1"), dir))
                .isInstanceOf(GateFileException.class)
                .hasMessage("gate.yaml: prometheus.bearerTokenEnv: the secret from env PROM_TOKEN contains a line"
                        + " break")
                .message().doesNotContain(TOKEN);
    }

    @Test
    void aTokenFileWithALineBreakInsideIsRefused() throws Exception {
        Files.writeString(dir.resolve("token"), TOKEN + "\n" + TOKEN + "\n");
        SecretRef file = new SecretRef(SecretRef.Kind.FILE, "token", "prometheus.bearerTokenFile");
        assertThatThrownBy(() -> file.resolveHeaderValue("gate.yaml", Map.of(), dir))
                .hasMessageStartingWith("gate.yaml: prometheus.bearerTokenFile: the secret from file ")
                .hasMessageEndingWith("contains a line break").message().doesNotContain(TOKEN);
        // The trailing newline of a file is not part of the secret.
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        assertThat(file.resolveHeaderValue("gate.yaml", Map.of(), dir).reveal()).isEqualTo(TOKEN);
    }

    @Test
    void aHeaderSecretMustBeAscii() throws Exception {
        assertThatThrownBy(() -> ENV.resolveHeaderValue("gate.yaml", Map.of("PROM_TOKEN", "tök"), dir))
                .hasMessage("gate.yaml: prometheus.bearerTokenEnv: the secret from env PROM_TOKEN contains a non-ASCII"
                        + " character (position 2), which HTTP headers cannot carry");
        // A password is sent base64-encoded: any printable text will do.
        assertThat(ENV.resolve("gate.yaml", Map.of("PROM_TOKEN", "pässwort"), dir).reveal()).isEqualTo("pässwort");
    }

    @Test
    void aMissingSecretIsNotAvailableAndSaysSoPlainly() {
        SecretRef file = new SecretRef(SecretRef.Kind.FILE, "nope", "prometheus.bearerTokenFile");
        assertThat(file.isAvailable(Map.of(), dir)).isFalse();
        assertThat(ENV.isAvailable(Map.of("PROM_TOKEN", "x"), dir)).isTrue();
        assertThatThrownBy(() -> file.resolve("gate.yaml", Map.of(), dir))
                .hasMessageEndingWith("nope does not exist").message().doesNotContain("Exception");
    }

    @Test
    void openingAClientWithABadTokenIsAGateFileErrorNotACrash() {
        PrometheusSettings s = new PrometheusSettings("http://127.0.0.1:9", Optional.of(ENV), Optional.empty(),
                Optional.empty(), true, Duration.ofSeconds(1), 0, Map.of());
        assertThatThrownBy(() -> s.openClient("gate.yaml", Map.of("PROM_TOKEN", TOKEN + "\r\n"), dir))
                .isInstanceOf(GateFileException.class).hasMessageContaining("prometheus.bearerTokenEnv")
                .message().doesNotContain(TOKEN);
        // Settings built in code, past the gate file's rules, still fail as a usage error.
        PrometheusSettings both = new PrometheusSettings("http://127.0.0.1:9", Optional.of(ENV), Optional.empty(),
                Optional.empty(), true, Duration.ofSeconds(1), 0, Map.of("Authorization", "Bearer " + TOKEN));
        assertThatThrownBy(() -> both.openClient("gate.yaml", Map.of("PROM_TOKEN", TOKEN), dir))
                .isInstanceOf(GateFileException.class).hasMessageStartingWith("gate.yaml: prometheus: ")
                .message().doesNotContain(TOKEN);
    }

    @Test
    void headerRulesNeverQuoteAValue() {
        assertThat(HeaderRules.valueProblem("a\u0000b")).hasValue("contains a control character (position 2)");
        assertThat(HeaderRules.valueProblem("Bearer abc.def-ghi_~+/=")).isEmpty();
        assertThat(HeaderRules.nameProblem("X-Scope-OrgID")).isEmpty();
        assertThat(HeaderRules.nameProblem("X:Y")).hasValueSatisfying(p -> assertThat(p).contains("'X:Y'"));
        assertThat(HeaderRules.nameProblem("")).isPresent();
    }
}
