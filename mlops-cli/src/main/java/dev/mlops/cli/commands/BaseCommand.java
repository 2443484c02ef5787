package dev.mlops.cli.commands;

import dev.mlops.Mlops;
import dev.mlops.cli.GlobalOptions;
import dev.mlops.cli.Main;
import dev.mlops.cli.Output;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** What every leaf command shares: the global options and the output. */
abstract class BaseCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandSpec spec;

    GlobalOptions global() {
        return ((Main) spec.root().userObject()).global();
    }

    Output output() {
        return new Output(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    boolean json() {
        return global().json();
    }

    Mlops open() {
        return global().open();
    }
}
