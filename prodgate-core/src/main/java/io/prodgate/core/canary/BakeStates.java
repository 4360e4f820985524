package io.prodgate.core.canary;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.core.util.AtomicFiles;
import io.prodgate.core.util.Json;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
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

    /**
     * The state in {@code json}.
     *
     * @throws IOException with a message fit for the user when it is not a bake state of this format
     */
    public static BakeState fromJson(String json) throws IOException {
        BakeState s;
        if (json.isBlank()) {
            throw new IOException("it is empty or null");
        }
        try {
            s = JSON.readValue(json, BakeState.class);
        } catch (JsonParseException e) {
            throw new IOException("it is not JSON (" + where(e) + "): " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            // Wrong types or missing fields: Jackson's message names internal classes, so say it plainly.
            throw new IOException("it is JSON, but not a bake state (" + where(e) + "): missing or malformed fields");
        }
        if (s == null) {
            throw new IOException("it is empty or null");
        }
        if (s.format() != BakeState.FORMAT) {
            throw new IOException("bake state format " + s.format() + " is not supported (expected " + BakeState.FORMAT + ")");
        }
        return s;
    }

    public static void write(Path file, BakeState state) throws IOException {
        AtomicFiles.writeString(file, toJson(state));
    }

    /** The state in {@code file}; see {@link #fromJson}. */
    public static BakeState read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new IOException("it is not UTF-8 text (a binary file?)");
        }
        return fromJson(text);
    }

    private static String where(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "somewhere" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
}
