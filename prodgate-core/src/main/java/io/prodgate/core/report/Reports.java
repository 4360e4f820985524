package io.prodgate.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import io.prodgate.core.util.AtomicFiles;
import java.nio.file.Path;

/** Shared plumbing of the report writers: one JSON mapper, atomic writes. */
public final class Reports {
    /** The mapper for every JSON report: ISO-8601 times, indented, unknown figures as null. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {
    }

    public static String json(Object report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("report does not serialize: " + e.getOriginalMessage(), e);
        }
    }

    public static void writeJson(Path file, Object report) throws IOException {
        writeAtomically(file, json(report) + System.lineSeparator());
    }

    /** Writes through a temporary file in the same folder, so a reader never sees half a report. */
    public static void writeAtomically(Path file, String content) throws IOException {
        AtomicFiles.writeString(file, content);
    }
}
