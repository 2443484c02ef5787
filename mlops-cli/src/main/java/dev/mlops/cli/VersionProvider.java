package dev.mlops.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** Reads the library version from the core jar. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/dev/mlops/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return new String[] {"mlops " + p.getProperty("version", "unknown")};
    }
}
