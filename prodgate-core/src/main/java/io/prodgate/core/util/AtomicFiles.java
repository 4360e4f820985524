package io.prodgate.core.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a reader, or a crash, never sees half of one: reports, bake states, rollback proofs.
 *
 * <p>The content goes to a temporary file that is flushed to the disk before it is renamed over the target, and the
 * folder is flushed after the rename. Without the first flush a power loss can leave the renamed file empty (the
 * rename reached the disk, the data did not); without the second, the rename itself may be lost.
 */
public final class AtomicFiles {
    /** How a file or folder is flushed to the disk; replaceable in tests, which cannot pull the plug. */
    interface Disk {
        Disk REAL = (channel, path) -> channel.force(true);

        void sync(FileChannel channel, Path path) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void writeString(Path file, String content) throws IOException {
        writeString(file, content, Disk.REAL);
    }

    public static void write(Path file, byte[] content) throws IOException {
        write(file, ByteBuffer.wrap(content), Disk.REAL);
    }

    static void writeString(Path file, String content, Disk disk) throws IOException {
        write(file, StandardCharsets.UTF_8.encode(content), disk);
    }

    private static void write(Path file, ByteBuffer bytes, Disk disk) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path name = file.getFileName();
        if (dir == null || name == null) {
            throw new IOException("not a file: " + file);
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                disk.sync(out, tmp);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncFolder(dir, disk);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Appends {@code content} to {@code file} and flushes it to the disk, if the file is {@code expectedSize} bytes
     * long; otherwise (absent, or changed by someone else) writes nothing and returns false. Not atomic: a crash
     * mid-append can leave part of {@code content} at the end, which a reader of such an append log must detect
     * (a checksum per line) and drop.
     */
    public static boolean append(Path file, byte[] content, long expectedSize) throws IOException {
        return append(file, content, expectedSize, Disk.REAL);
    }

    static boolean append(Path file, byte[] content, long expectedSize, Disk disk) throws IOException {
        FileChannel out;
        try {
            out = FileChannel.open(file, StandardOpenOption.WRITE);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        try (out) {
            if (out.size() != expectedSize) {
                return false;
            }
            ByteBuffer bytes = ByteBuffer.wrap(content);
            long at = expectedSize;
            while (bytes.hasRemaining()) {
                at += out.write(bytes, at);
            }
            disk.sync(out, file);
        }
        return true;
    }

    /** Makes the rename durable. Some platforms (Windows) cannot open a folder; there the file system journals it. */
    private static void syncFolder(Path dir, Disk disk) throws IOException {
        FileChannel folder;
        try {
            folder = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            return;
        }
        try (folder) {
            disk.sync(folder, dir);
        }
    }
}
