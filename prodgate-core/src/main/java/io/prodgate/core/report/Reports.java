package io.prodgate.core.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prodgate.core.util.AtomicFiles;
import io.prodgate.core.util.Json;
import java.io.IOException;
import java.nio.file.Path;

/** Shared plumbing of the report writers: the JSON mapping, atomic writes. */
public final class Reports {
    /** The mapper for every JSON report: ISO-8601 times, indented, unknown figures as null. */
    public static final ObjectMapper JSON = Json.MAPPER;

    private Reports() {
    }

    public static String json(Object report) {
        return Json.write(report);
    }

    public static void writeJson(Path file, Object report) throws IOException {
        Json.write(file, report);
    }

    /** Writes through a temporary file in the same folder, so a reader never sees half a report. */
    public static void writeAtomically(Path file, String content) throws IOException {
        AtomicFiles.writeString(file, content);
    }
}
