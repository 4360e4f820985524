package io.prodgate.core.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheFileWholeAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("state.json");
        AtomicFiles.writeString(file, "{\"v\":1}");
        AtomicFiles.writeString(file, "{\"v\":2}");
        assertThat(file).hasContent("{\"v\":2}");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    /** A power loss after the rename must find the data on the disk: the data is flushed first, the folder after. */
    @Test
    void flushesTheDataBeforeTheRenameAndTheFolderAfterIt() throws Exception {
        Path file = dir.resolve("state.json");
        AtomicFiles.writeString(file, "old");
        List<String> events = new ArrayList<>();
        AtomicFiles.writeString(file, "new state", (channel, path) -> {
            if (Files.isDirectory(path)) {
                events.add("folder " + path.getFileName() + ", target holds '" + Files.readString(file) + "'");
            } else {
                events.add("file of " + channel.size() + " bytes, target holds '" + Files.readString(file) + "'");
            }
        });
        assertThat(events).containsExactly(
                "file of 9 bytes, target holds 'old'",
                "folder " + dir.getFileName() + ", target holds 'new state'");
        assertThat(file).hasContent("new state");
    }

    @Test
    void appendsAndFlushesOnlyToAFileOfTheSizeExpected() throws Exception {
        Path file = dir.resolve("state.jsonl");
        AtomicFiles.writeString(file, "one\n");
        List<String> synced = new ArrayList<>();
        assertThat(AtomicFiles.append(file, "two\n".getBytes(), 4, (channel, path) -> synced.add(
                path.getFileName() + " of " + channel.size() + " bytes"))).isTrue();
        assertThat(synced).containsExactly("state.jsonl of 8 bytes");
        assertThat(file).hasContent("one\ntwo\n");
        assertThat(AtomicFiles.append(file, "three\n".getBytes(), 4)).as("changed since").isFalse();
        assertThat(AtomicFiles.append(dir.resolve("absent"), "x".getBytes(), 0)).isFalse();
        assertThat(file).hasContent("one\ntwo\n");
        assertThat(dir.resolve("absent")).doesNotExist();
    }
}
