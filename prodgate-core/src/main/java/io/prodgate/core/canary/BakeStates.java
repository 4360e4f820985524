package io.prodgate.core.canary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.core.util.AtomicFiles;
import io.prodgate.core.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes a bake's state as JSON, atomically, so that a crash mid-write never loses the previous state. */
public final class BakeStates {
    private static final ObjectMapper JSON = Json.MAPPER.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private BakeStates() {
    }

    public static String toJson(BakeState state) {
        try {
            return JSON.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a bake state always serializes", e);
        }
    }

    public static BakeState fromJson(String json) throws IOException {
        BakeState s = JSON.readValue(json, BakeState.class);
        if (s.format() != BakeState.FORMAT) {
            throw new IOException("bake state format " + s.format() + " is not supported (expected " + BakeState.FORMAT + ")");
        }
        return s;
    }

    public static void write(Path file, BakeState state) throws IOException {
        AtomicFiles.writeString(file, toJson(state));
    }

    public static BakeState read(Path file) throws IOException {
        return fromJson(Files.readString(file));
    }
}
