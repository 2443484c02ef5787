package dev.mlops.cli.commands;

import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.cli.Output;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlops runs list|show}. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List and show tracked runs.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class})
public final class RunsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List runs, newest first.")
    static final class ListRuns extends BaseCommand {
        @Option(names = "--job", paramLabel = "NAME", description = "Only runs of this job.")
        String job;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N runs (default 100).")
        int limit;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 10_000) {
                throw new dev.mlops.InvalidArgumentException("--limit", "--limit must be between 1 and 10000, was " + limit);
            }
            try (Mlops mlops = openExisting()) {
                RunQuery.Builder q = RunQuery.builder();
                if (job != null) {
                    q.jobName(job);
                }
                Page<Run> page = mlops.tracking().search(q.build(), PageRequest.first(limit));
                Instant now = mlops.clock().instant();
                Output out = output();
                if (json()) {
                    List<Map<String, Object>> runs = new ArrayList<>();
                    page.items().forEach(r -> runs.add(Views.run(r, now)));
                    out.json(runs);
                } else if (page.items().isEmpty()) {
                    out.line("No runs.");
                } else {
                    for (Run r : page.items()) {
                        out.line(String.format("%s  %-10s %-30s %s", r.id(),
                                r.effectiveStatus(now), r.jobName(), r.startTime()));
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one run with params, latest metrics, inputs and outputs.")
    static final class Show extends BaseCommand {
        @Parameters(index = "0", paramLabel = "RUN_ID")
        String runId;

        @Override
        public Integer call() {
            try (Mlops mlops = openExisting()) {
                Run r = mlops.tracking().get(runId)
                        .orElseThrow(() -> new NotFoundException("run " + runId + " does not exist"));
                Map<String, Object> view = Views.run(r, mlops.clock().instant());
                Output out = output();
                if (json()) {
                    out.json(view);
                } else {
                    view.forEach((k, v) -> out.line(String.format("%-14s %s", k, v)));
                }
            }
            return 0;
        }
    }
}
