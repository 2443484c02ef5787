package dev.mlops.cli;

/** PLACEHOLDER: the mlops command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(2);
    }
}
