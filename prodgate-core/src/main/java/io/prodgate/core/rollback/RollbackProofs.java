package io.prodgate.core.rollback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.prodgate.core.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading and writing rollback proofs (JSON). Their JUnit XML and human forms are in the report package. */
public final class RollbackProofs {
    // A proof written by a newer prodgate may carry more fields; the ones this version knows still decide.
    private static final ObjectReader READER = Json.MAPPER.readerFor(RollbackProof.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private RollbackProofs() {
    }

    public static String json(RollbackProof proof) {
        return Json.write(proof);
    }

    /** Writes the proof atomically: a canary reading it at the same moment sees the old or the new one. */
    public static void write(Path file, RollbackProof proof) throws IOException {
        Json.write(file, proof);
    }

    /**
     * Reads a proof.
     *
     * @throws IOException when the file cannot be read, is not JSON, or is not a proof of a known format
     */
    public static RollbackProof read(Path file) throws IOException {
        JsonNode tree = Json.MAPPER.readTree(Files.readAllBytes(file));
        if (tree == null || !tree.isObject()) {
            throw new IOException("not a rollback proof (expected a JSON object)");
        }
        // The format is checked first, so a future format is reported as such rather than as a missing field.
        JsonNode format = tree.get("format");
        if (format == null || !format.canConvertToInt()) {
            throw new IOException("not a rollback proof (no format field)");
        }
        if (format.asInt() != RollbackProof.FORMAT) {
            throw new IOException("unknown proof format " + format.asText() + " (this prodgate reads format "
                    + RollbackProof.FORMAT + ")");
        }
        try {
            return READER.readValue(tree);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            throw new IOException(cause instanceof NullPointerException npe && npe.getMessage() != null
                    ? "not a complete rollback proof (no " + npe.getMessage() + ")"
                    : "not a rollback proof (" + e.getOriginalMessage() + ")");
        }
    }

    /** A short reason for a read failure, without a stack trace. */
    static String why(Exception e) {
        if (e instanceof JsonProcessingException j) {
            return "not a rollback proof (" + j.getOriginalMessage() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
