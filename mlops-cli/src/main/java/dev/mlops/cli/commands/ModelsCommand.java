package dev.mlops.cli.commands;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.cli.Output;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionRegistration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlops models ...}: the model registry. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Registered models: versions, aliases, approvals and governance records.",
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Show.class, ModelsCommand.Versions.class,
                ModelsCommand.Register.class, ModelsCommand.Alias.class, ModelsCommand.Approve.class,
                ModelsCommand.Reject.class, ModelsCommand.Govern.class})
public final class ModelsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List registered models by name.")
    static final class ListModels extends BaseCommand {
        @Option(names = "--prefix", paramLabel = "TEXT", description = "Only models whose name starts with TEXT.")
        String prefix;

        @Override
        public Integer call() {
            try (Mlops mlops = openExisting()) {
                ModelQuery.Builder q = ModelQuery.builder();
                if (prefix != null) {
                    q.namePrefix(prefix);
                }
                ModelQuery query = q.build();
                List<RegisteredModel> models = Pages.all(page -> mlops.registry().searchModels(query, page));
                Output out = output();
                if (json()) {
                    out.json(models.stream().map(m -> Views.model(m, false)).toList());
                } else if (models.isEmpty()) {
                    out.line("No models.");
                } else {
                    for (RegisteredModel m : models) {
                        out.line(String.format("%-32s latest %-4d aliases %s", m.name(), m.latestVersion(),
                                m.aliases()));
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show a model with its ownership and governance record and its aliases.")
    static final class Show extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (Mlops mlops = openExisting()) {
                Map<String, Object> view = Views.model(mlops.registry().model(name), true);
                Output out = output();
                if (json()) {
                    out.json(view);
                } else {
                    view.forEach((k, v) -> {
                        if (v instanceof Map<?, ?> m && k.equals("governance")) {
                            out.line("governance");
                            m.forEach((gk, gv) -> out.line(String.format("  %-18s %s", gk,
                                    gv == null ? "(not set)" : gv)));
                        } else {
                            out.line(String.format("%-20s %s", k, v));
                        }
                    });
                }
            }
            return 0;
        }
    }

    @Command(name = "versions", mixinStandardHelpOptions = true,
            description = "List a model's versions: digest, status, approval, aliases, run.")
    static final class Versions extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (Mlops mlops = openExisting()) {
                mlops.registry().model(name);
                List<ModelVersion> versions = Pages.all(page -> mlops.registry().searchVersions(
                        VersionQuery.of(name), page));
                Output out = output();
                if (json()) {
                    out.json(versions.stream().map(Views::version).toList());
                } else if (versions.isEmpty()) {
                    out.line("Model " + name + " has no versions.");
                } else {
                    for (ModelVersion v : versions) {
                        out.line(String.format("%-4d %-7s %-9s %s %s", v.version(), v.status(),
                                v.approval().status(), v.digest(), v.aliases().isEmpty() ? "" : v.aliases()));
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Register a new version: upload the artifact, verify its digest, print the version.")
    static final class Register extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--file", paramLabel = "PATH", required = true, description = "The model artifact.")
        Path file;

        @Option(names = "--run", paramLabel = "RUN_ID", description = "The run that produced it (lineage).")
        String runId;

        @Option(names = "--digest", paramLabel = "sha256:HEX",
                description = "The digest the file must have; refused (exit 5) when it differs.")
        String digest;

        @Option(names = "--description", paramLabel = "TEXT", description = "A description of the version.")
        String description;

        @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A tag (repeatable).")
        List<String> tags = new ArrayList<>();

        @Override
        public Integer call() {
            try (Mlops mlops = open()) {
                VersionRegistration r = mlops.registry().newVersion(name);
                if (runId != null) {
                    r.run(runId);
                }
                if (digest != null) {
                    r.expectedDigest(digest);
                }
                if (description != null) {
                    r.description(description);
                }
                for (String t : tags) {
                    int eq = t.indexOf('=');
                    if (eq <= 0) {
                        throw new InvalidArgumentException("--tag", "--tag must be KEY=VALUE, was '" + t + "'");
                    }
                    r.tag(t.substring(0, eq), t.substring(eq + 1));
                }
                ModelVersion v = r.upload(file);
                Output out = output();
                if (json()) {
                    out.json(Views.version(v));
                } else {
                    out.line("Registered " + v.ref() + " " + v.status() + " " + v.digest());
                }
            }
            return 0;
        }
    }

    @Command(name = "alias", mixinStandardHelpOptions = true, description = "Set or delete an alias.",
            subcommands = {Alias.SetAlias.class, Alias.DeleteAlias.class})
    static final class Alias {
        @Command(name = "set", mixinStandardHelpOptions = true,
                description = "Point ALIAS at VERSION (moving it); guarded aliases need an approved version.")
        static final class SetAlias extends BaseCommand {
            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Parameters(index = "1", paramLabel = "ALIAS")
            String alias;

            @Parameters(index = "2", paramLabel = "VERSION")
            int version;

            @Option(names = "--expect-version", paramLabel = "N",
                    description = "Fail with a conflict (exit 4) unless the alias points at version N now"
                            + " (0: unless it does not exist yet).")
            Integer expectVersion;

            @Override
            public Integer call() {
                try (Mlops mlops = open()) {
                    AliasChange change = expectVersion == null
                            ? mlops.registry().setAlias(name, alias, version)
                            : mlops.registry().setAlias(name, alias, version, expectVersion);
                    print(change);
                }
                return 0;
            }

            private void print(AliasChange change) {
                Output out = output();
                if (json()) {
                    out.json(aliasView(change));
                } else {
                    out.line(change.modelName() + "@" + change.alias() + ": "
                            + (change.previous() == null ? "(new)" : "version " + change.previous()) + " -> version "
                            + change.current());
                }
            }
        }

        @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete ALIAS.")
        static final class DeleteAlias extends BaseCommand {
            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Parameters(index = "1", paramLabel = "ALIAS")
            String alias;

            @Override
            public Integer call() {
                try (Mlops mlops = open()) {
                    AliasChange change = mlops.registry().deleteAlias(name, alias);
                    Output out = output();
                    if (json()) {
                        out.json(aliasView(change));
                    } else {
                        out.line("Deleted " + name + "@" + alias + " (was version " + change.previous() + ")");
                    }
                }
                return 0;
            }
        }

        static Map<String, Object> aliasView(AliasChange change) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", change.modelName());
            m.put("alias", change.alias());
            m.put("previous", change.previous());
            m.put("version", change.current());
            return m;
        }
    }

    abstract static class Decide extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "VERSION")
        int version;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why (recorded).")
        String reason;

        abstract ModelVersion decide(Mlops mlops);

        @Override
        public Integer call() {
            try (Mlops mlops = open()) {
                ModelVersion v = decide(mlops);
                Output out = output();
                if (json()) {
                    out.json(Views.version(v));
                } else {
                    out.line(v.ref() + " " + v.approval().status() + " by " + v.approval().actor() + ": "
                            + v.approval().reason());
                }
            }
            return 0;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a PENDING version.")
    static final class Approve extends Decide {
        @Override
        ModelVersion decide(Mlops mlops) {
            return mlops.registry().approve(name, version, reason);
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject a PENDING version.")
    static final class Reject extends Decide {
        @Override
        ModelVersion decide(Mlops mlops) {
            return mlops.registry().reject(name, version, reason);
        }
    }

    @Command(name = "govern", mixinStandardHelpOptions = true,
            description = "Set fields of a model's ownership and governance record (others are kept).")
    static final class Govern extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--business-owner", paramLabel = "WHO")
        String businessOwner;

        @Option(names = "--technical-owner", paramLabel = "WHO")
        String technicalOwner;

        @Option(names = "--intended-use", paramLabel = "TEXT")
        String intendedUse;

        @Option(names = "--service-level", paramLabel = "TEXT")
        String serviceLevel;

        @Option(names = "--retraining-policy", paramLabel = "REF")
        String retrainingPolicy;

        @Option(names = "--approver-role", paramLabel = "ROLE")
        String approverRole;

        @Option(names = "--confidentiality", paramLabel = "CLASS",
                description = "PUBLIC, INTERNAL, CONFIDENTIAL or RESTRICTED.")
        String confidentiality;

        @Option(names = "--code-shareable", paramLabel = "true|false", arity = "1")
        Boolean codeShareable;

        @Override
        public Integer call() {
            try (Mlops mlops = open()) {
                Governance.Builder g = mlops.registry().model(name).governance().toBuilder();
                if (businessOwner != null) {
                    g.businessOwner(businessOwner);
                }
                if (technicalOwner != null) {
                    g.technicalOwner(technicalOwner);
                }
                if (intendedUse != null) {
                    g.intendedUse(intendedUse);
                }
                if (serviceLevel != null) {
                    g.serviceLevel(serviceLevel);
                }
                if (retrainingPolicy != null) {
                    g.retrainingPolicy(retrainingPolicy);
                }
                if (approverRole != null) {
                    g.approverRole(approverRole);
                }
                if (confidentiality != null) {
                    try {
                        g.confidentiality(Confidentiality.valueOf(confidentiality.toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidArgumentException("--confidentiality", "--confidentiality must be PUBLIC,"
                                + " INTERNAL, CONFIDENTIAL or RESTRICTED, was '" + confidentiality + "'");
                    }
                }
                if (codeShareable != null) {
                    g.codeShareable(codeShareable);
                }
                RegisteredModel m = mlops.registry().setGovernance(name, g.build());
                Output out = output();
                if (json()) {
                    out.json(Views.model(m, true));
                } else {
                    out.line("Governance of " + name + " updated.");
                }
            }
            return 0;
        }
    }
}
