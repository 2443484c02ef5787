package dev.mlops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the CLI in-process against one store and artifact folder, capturing stdout, stderr and the exit code. */
final class CliRunner {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final String store;
    private final String artifacts;

    CliRunner(Path dir) {
        this.store = "sqlite:" + dir.resolve("mlops.db");
        this.artifacts = "file:" + dir.resolve("artifacts");
    }

    record Result(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return MAPPER.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }
    }

    Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--store");
        all.add(store);
        all.add("--artifacts");
        all.add(artifacts);
        return raw(all.toArray(String[]::new));
    }

    static Result raw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
