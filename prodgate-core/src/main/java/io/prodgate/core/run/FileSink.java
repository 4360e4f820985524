package io.prodgate.core.run;

import io.prodgate.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/** Where a gate run's files land: the local file system, or e.g. a CI workspace that refuses paths outside it. */
@FunctionalInterface
public interface FileSink {
    /** Atomic writes on the local file system, creating folders, so a reader never sees half a file. */
    FileSink LOCAL = AtomicFiles::writeString;

    void write(Path file, String content) throws IOException;
}
