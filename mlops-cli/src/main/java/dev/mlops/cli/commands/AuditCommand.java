package dev.mlops.cli.commands;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditCheckpoints;
import dev.mlops.audit.AuditKeys;
import dev.mlops.audit.AuditLog;
import dev.mlops.audit.AuditVerification;
import dev.mlops.cli.ExitCodes;
import dev.mlops.cli.Output;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mlops audit verify|export}. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Verify and export the tamper-evident audit trail.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class, AuditCommand.Keygen.class,
                AuditCommand.Checkpoint.class})
public final class AuditCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify the store's hash chain, or an exported file offline."
            + " Exit 0 when intact, 1 when any event was changed, removed, inserted or reordered.")
    static final class Verify extends BaseCommand {
        @Option(names = "--file", paramLabel = "EXPORT.jsonl", description = "Verify this export offline, without a store.")
        Path file;

        @Option(names = "--public-key", paramLabel = "FILE",
                description = "Also check the checkpoints signed by this Ed25519 public key (see audit keygen).")
        Path publicKeyFile;

        @Option(names = "--checkpoints", paramLabel = "FILE",
                description = "Checkpoints kept outside the store (JSON Lines written by audit checkpoint --out);"
                        + " needs --public-key.")
        Path checkpointsFile;

        @Override
        public Integer call() {
            if (checkpointsFile != null && publicKeyFile == null) {
                throw new InvalidArgumentException("--checkpoints", "--checkpoints needs --public-key to check signatures");
            }
            PublicKey key = publicKeyFile == null ? null : AuditKeys.readPublicKey(publicKeyFile);
            List<AuditCheckpoint> external = checkpointsFile == null ? List.of() : AuditCheckpoints.read(checkpointsFile);
            AuditVerification v;
            if (file != null) {
                if (!Files.isRegularFile(file)) {
                    throw new InvalidArgumentException("--file", "audit export " + file + " does not exist or is not a file");
                }
                v = AuditLog.verifyExport(file, key, external);
            } else {
                try (Mlops mlops = openExisting()) {
                    if (external.isEmpty()) {
                        v = key == null ? mlops.audit().verify() : mlops.audit().verify(key);
                    } else {
                        v = verifyWithExternalCheckpoints(mlops, key, external);
                    }
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

    /** Exports the store's chain to a temporary file and verifies it with the stored and the external checkpoints. */
    static AuditVerification verifyWithExternalCheckpoints(Mlops mlops, PublicKey key, List<AuditCheckpoint> external) {
        List<AuditCheckpoint> all = new ArrayList<>(mlops.audit().checkpoints());
        all.addAll(external);
        Path tmp = null;
        try {
            tmp = Files.createTempFile("mlops-audit", ".jsonl");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                mlops.audit().export(out);
            }
            return AuditLog.verifyExport(tmp, key, all);
        } catch (IOException e) {
            throw new dev.mlops.StorageException("cannot write a temporary export: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // A leftover temporary file is harmless.
                }
            }
        }
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true, description = "Generate an Ed25519 key pair for signing audit checkpoints."
            + " Keep the private key outside the store.")
    static final class Keygen extends BaseCommand {
        @Option(names = "--private", required = true, paramLabel = "FILE", description = "Where to write the private key (PEM).")
        Path privateFile;

        @Option(names = "--public", required = true, paramLabel = "FILE", description = "Where to write the public key (PEM).")
        Path publicFile;

        @Override
        public Integer call() {
            for (Path p : List.of(privateFile, publicFile)) {
                if (Files.exists(p)) {
                    throw new InvalidArgumentException(p == privateFile ? "--private" : "--public",
                            p + " exists already; refusing to overwrite a key");
                }
            }
            KeyPair pair = AuditKeys.generate();
            AuditKeys.writePrivateKey(privateFile, pair.getPrivate());
            AuditKeys.writePublicKey(publicFile, pair.getPublic());
            Output out = output();
            if (json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("key_id", AuditKeys.keyId(pair.getPublic()));
                doc.put("private", privateFile.toAbsolutePath().toString());
                doc.put("public", publicFile.toAbsolutePath().toString());
                out.json(doc);
            } else {
                out.line("Key " + AuditKeys.keyId(pair.getPublic()) + ": private " + privateFile + ", public " + publicFile);
            }
            return 0;
        }
    }

    @Command(name = "checkpoint", mixinStandardHelpOptions = true, description = "Sign the current head of the chain with an Ed25519 private key.")
    static final class Checkpoint extends BaseCommand {
        @Option(names = "--key", required = true, paramLabel = "FILE", description = "The private key (from audit keygen).")
        Path keyFile;

        @Option(names = "--out", paramLabel = "FILE",
                description = "Also append the checkpoint to FILE (JSON Lines), to keep a copy outside the store.")
        Path outFile;

        @Override
        public Integer call() {
            PrivateKey key = AuditKeys.readPrivateKey(keyFile);
            try (Mlops mlops = openExisting()) {
                AuditCheckpoint cp = mlops.audit().checkpoint(key);
                if (outFile != null) {
                    AuditCheckpoints.append(outFile, cp);
                }
                Output out = output();
                if (json()) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("seq", cp.seq());
                    doc.put("hash", cp.hash());
                    doc.put("time", cp.time().toString());
                    doc.put("key_id", cp.keyId());
                    out.json(doc);
                } else {
                    out.line("Checkpoint at seq " + cp.seq() + " (" + cp.hash() + ") signed by key " + cp.keyId());
                }
            }
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Export every audit event as JSON Lines.")
    static final class Export extends BaseCommand {
        @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of stdout.")
        Path outFile;

        @Override
        public Integer call() {
            try (Mlops mlops = openExisting()) {
                return export(outFile, out -> mlops.audit().export(out), "audit events");
            }
        }
    }
}
