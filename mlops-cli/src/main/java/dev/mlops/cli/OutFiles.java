package dev.mlops.cli;

import dev.mlops.InvalidArgumentException;
import dev.mlops.StorageException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a command's {@code --out} file whole or not at all: to a temporary file beside it, then renamed. */
public final class OutFiles {
    /** What writes the content. */
    @FunctionalInterface
    public interface Writer<T> {
        T write(OutputStream out) throws IOException;
    }

    private OutFiles() {
    }

    /**
     * @param option the option that named the file, for messages
     * @return what {@code writer} returned
     * @throws InvalidArgumentException when the file's directory does not exist (exit 2)
     * @throws StorageException         when writing fails (exit 5); nothing is left at {@code file}
     */
    public static <T> T write(String option, Path file, Writer<T> writer) {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new InvalidArgumentException(option, option + " " + file + ": directory " + dir + " does not exist");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            T result;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                result = writer.write(out);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return result;
        } catch (IOException e) {
            throw new StorageException("cannot write " + option + " " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // Best effort: a leftover hidden temporary file is harmless.
                }
            }
        }
    }
}
