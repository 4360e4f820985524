package io.prodgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.prodgate.core.rollback.ProofCheck;
import io.prodgate.core.rollback.ProofPolicy;
import io.prodgate.core.rollback.RollbackProof;
import io.prodgate.core.rollback.RollbackProofs;
import io.prodgate.testkit.WellFormedXml;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(30)
class RollbackCommandTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private String url;
    /** The version the local "service" reports; POST /deploy/rollback switches it to 1.4.1. */
    private final AtomicReference<String> version = new AtomicReference<>("1.4.2");

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 10);
        route("/version", () -> "{\"version\":\"" + version.get() + "\"}");
        route("/healthz", () -> "ok");
        route("/deploy/rollback", () -> {
            version.set("1.4.1");
            return "rolling back";
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void route(String path, java.util.function.Supplier<String> body) {
        server.createContext(path, ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
    }

    record Run(int exitCode, String out, String err) {
    }

    private Run rollback(RollbackCommand command, String... args) {
        return rollback(command, new StringWriter(), args);
    }

    private Run rollback(RollbackCommand command, StringWriter out, String... args) {
        command.env = Map.of();
        StringWriter err = new StringWriter();
        int code = Main.handlingErrors(new CommandLine(command)).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path gate(String action) throws IOException {
        Path f = dir.resolve("gate.yaml");
        Files.writeString(f, """
                rollback:
                  target: %s
                  action: %s
                  deadline: 1s
                  pollInterval: 100ms
                  expectVersion: "1.4.1"
                  version: { http: { url: /version, jsonField: /version } }
                  health: { url: /healthz }
                """.formatted(url, action));
        return f;
    }

    @Test
    void aProvenRollbackExitsZeroAndWritesTheProof() throws IOException {
        Path f = gate("{ http: { url: /deploy/rollback } }");
        Path proof = dir.resolve("out/rollback-proof.json");
        Path xml = dir.resolve("out/rollback.xml");
        Path json = dir.resolve("out/rollback-report.json");
        Run r = rollback(new RollbackCommand(), "--config", f.toString(), "--proof", proof.toString(), "--junit",
                xml.toString(), "--report-json", json.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("PASS rollback action [POST " + url + "/deploy/rollback] HTTP 200")
                .contains("PASS rollback verified: 1.4.2 -> 1.4.1 (expected 1.4.1)")
                .contains("rollback PROVEN: rolled back to 1.4.1 in ").contains("proof: " + proof);
        RollbackProof p = RollbackProofs.read(proof);
        assertThat(p.proven()).isTrue();
        assertThat(RollbackProofs.read(json)).isEqualTo(p);
        WellFormedXml.parse(xml);
        assertThat(Files.readString(xml)).contains("name=\"rollback verified\"").contains("failures=\"0\"");
        ProofCheck check = ProofPolicy.check(proof, Duration.ofHours(1), Instant.now());
        assertThat(check.valid()).as(check.message()).isTrue();
    }

    @Test
    void anUnprovenRollbackExitsOneAndStillWritesTheProof() throws IOException {
        Path f = gate("{ command: { run: [\"true\"] } }");
        Path proof = dir.resolve("rollback-proof.json");
        Run r = rollback(new RollbackCommand(), "--config", f.toString(), "--proof", proof.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL rollback verified: 1.4.2 -> 1.4.2 (expected 1.4.1)")
                .contains("rollback NOT PROVEN: the target still reports version 1.4.2, expected 1.4.1");
        assertThat(RollbackProofs.read(proof).proven()).isFalse();
        assertThat(ProofPolicy.check(proof, Duration.ofHours(1), Instant.now()).status())
                .isEqualTo(ProofCheck.Status.NOT_PROVEN);
    }

    @Test
    void theProofGoesToRollbackProofJsonByDefault() {
        RollbackCommand command = new RollbackCommand();
        new CommandLine(command).parseArgs("--config", "gate.yaml");
        assertThat(command.proof).isEqualTo(Path.of("rollback-proof.json"));
    }

    @Test
    void aBadGateFileExits64WithFileFieldAndProblemAndNoStackTrace() throws IOException {
        Path f = dir.resolve("gate.yaml");
        Files.writeString(f, """
                rollback:
                  action: { command: { run: [undo], timeout: 2 minutes } }
                  expectVersion: "1.4.1"
                  version: { http: { url: "http://127.0.0.1:1/version" }, promql: 'build_info' }
                """);
        Run r = rollback(new RollbackCommand(), "--config", f.toString(), "--proof", dir.resolve("p.json").toString());
        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(f + ": rollback.action.command.timeout: not a duration: '2 minutes'")
                .contains(f + ": rollback.version: give http or promql, not both")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(dir.resolve("p.json")).doesNotExist();

        Files.writeString(f, "smoke: { checks: [ { name: a, command: { run: [\"true\"] } } ] }\n");
        Run missing = rollback(new RollbackCommand(), "--config", f.toString());
        assertThat(missing.exitCode()).isEqualTo(64);
        assertThat(missing.err().strip()).isEqualTo(f + ": rollback: is required to prove the rollback");
    }

    @Test
    void theMetricsPortServesTheOutcomeAndTimeToRollBackUntilTheCommandEnds() throws IOException {
        Path f = gate("{ http: { url: /deploy/rollback } }");
        ScrapingOutput out = new ScrapingOutput("rollback PROVEN");
        Run r = rollback(new RollbackCommand(), out, "--config", f.toString(), "--proof",
                dir.resolve("proof.json").toString(), "--metrics-port", "0", "--service", "checkout");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("metrics: http://127.0.0.1:");
        RollbackProof p = RollbackProofs.read(dir.resolve("proof.json"));
        assertThat(out.scraped()).contains(
                "prodgate_verdicts_total{gate=\"rollback\",mode=\"blocking\",service=\"checkout\",verdict=\"PASS\"} 1.0",
                "prodgate_rollback_duration_seconds_count{proven=\"true\",service=\"checkout\"} 1",
                "prodgate_rollback_proof_timestamp_seconds{service=\"checkout\"} "
                        + p.finishedAt().toEpochMilli() / 1000.0);
        assertThat(ScrapingOutput.get(out.url())).as("stopped with the command").startsWith("unreachable");
    }

    @Test
    void anUnwritableProofExits74AfterTheOutcomeIsShown() throws IOException {
        Path f = gate("{ http: { url: /deploy/rollback } }");
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        Run r = rollback(new RollbackCommand(), "--config", f.toString(), "--proof",
                blocker.resolve("proof.json").toString());
        assertThat(r.exitCode()).isEqualTo(74);
        assertThat(r.out()).contains("rollback PROVEN");
        assertThat(r.err()).startsWith("prodgate rollback: cannot write ").doesNotContain("\tat ");
    }
}
