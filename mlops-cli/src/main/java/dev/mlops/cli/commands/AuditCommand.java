package dev.mlops.cli.commands;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.audit.AuditLog;
import dev.mlops.audit.AuditVerification;
import dev.mlops.cli.ExitCodes;
import dev.mlops.cli.Output;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mlops audit verify|export}. */
@Command(name = "audit", description = "Verify and export the tamper-evident audit trail.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class})
public final class AuditCommand {

    @Command(name = "verify", description = "Verify the store's hash chain, or an exported file offline."
            + " Exit 0 when intact, 1 when any event was changed, removed, inserted or reordered.")
    static final class Verify extends BaseCommand {
        @Option(names = "--file", paramLabel = "EXPORT.jsonl", description = "Verify this export offline, without a store.")
        Path file;

        @Override
        public Integer call() {
            AuditVerification v;
            if (file != null) {
                if (!Files.isRegularFile(file)) {
                    throw new InvalidArgumentException("--file", "audit export " + file + " does not exist or is not a file");
                }
                v = AuditLog.verifyExport(file, null, List.of());
            } else {
                try (Mlops mlops = open()) {
                    v = mlops.audit().verify();
                }
            }
            Output out = output();
            if (json()) {
                out.json(Views.verification(v));
            } else if (v.ok()) {
                out.line("OK: " + v.events() + " events, head " + v.head() + (v.anchored() ? ", anchored at seq "
                        + v.anchoredSeq() : ", not anchored by a signed checkpoint"));
            } else {
                out.line("TAMPERED: first bad event seq " + v.firstBadSeq() + ": " + v.reason() + " (" + v.events()
                        + " events read)");
            }
            return v.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        }
    }

    @Command(name = "export", description = "Export every audit event as JSON Lines.")
    static final class Export extends BaseCommand {
        @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of stdout.")
        Path outFile;

        @Override
        public Integer call() {
            try (Mlops mlops = open()) {
                if (outFile == null) {
                    mlops.audit().export(new dev.mlops.cli.WriterOutputStream(spec.commandLine().getOut()));
                    spec.commandLine().getOut().flush();
                    return 0;
                }
                long events;
                try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(outFile))) {
                    events = mlops.audit().export(file);
                } catch (IOException e) {
                    throw new InvalidArgumentException("--out", "cannot write " + outFile + ": " + e.getMessage(), e);
                }
                Output out = output();
                if (json()) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("events", events);
                    doc.put("out", outFile.toAbsolutePath().toString());
                    out.json(doc);
                } else {
                    out.line("Exported " + events + " audit events to " + outFile);
                }
            }
            return 0;
        }
    }
}
