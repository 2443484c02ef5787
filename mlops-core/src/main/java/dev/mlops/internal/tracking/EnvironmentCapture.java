package dev.mlops.internal.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The environment a run executes in. Stateless and thread-safe; never throws.
 */
public final class EnvironmentCapture {
    /** The value of an entry that cannot be determined. */
    public static final String UNKNOWN = "unknown";

    private EnvironmentCapture() {
    }

    /**
     * The environment as an ordered, unmodifiable map: {@code java.version}, {@code java.vendor},
     * {@code java.vm.name}, {@code os.name}, {@code os.version}, {@code os.arch} (the system properties),
     * {@code host} (the local host name; from the {@code HOSTNAME} or {@code COMPUTERNAME} variable when it cannot
     * be resolved), {@code available_processors}, {@code max_memory_bytes} (of this JVM) and {@code mlops.version}
     * (this library). An entry that cannot be determined is {@value #UNKNOWN}. The host name is looked up once per
     * JVM (the lookup can be slow when name resolution is misconfigured).
     */
    public static Map<String, String> capture() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : new String[] {"java.version", "java.vendor", "java.vm.name", "os.name", "os.version",
                "os.arch"}) {
            env.put(key, property(key));
        }
        env.put("host", Host.NAME);
        Runtime runtime = Runtime.getRuntime();
        env.put("available_processors", Integer.toString(runtime.availableProcessors()));
        env.put("max_memory_bytes", Long.toString(runtime.maxMemory()));
        env.put("mlops.version", Version.VALUE);
        return Collections.unmodifiableMap(env);
    }

    private static String property(String key) {
        try {
            String value = System.getProperty(key);
            return value == null || value.isBlank() ? UNKNOWN : value;
        } catch (SecurityException e) {
            return UNKNOWN;
        }
    }

    /** The host name, resolved on first use. */
    private static final class Host {
        static final String NAME = lookup();

        private static String lookup() {
            try {
                String name = InetAddress.getLocalHost().getHostName();
                if (name != null && !name.isBlank()) {
                    return name;
                }
            } catch (IOException | RuntimeException e) {
                // fall through to the environment
            }
            for (String variable : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
                try {
                    String value = System.getenv(variable);
                    if (value != null && !value.isBlank()) {
                        return value.strip();
                    }
                } catch (SecurityException e) {
                    // try the next one
                }
            }
            return UNKNOWN;
        }
    }

    /** The library version from {@code dev/mlops/version.properties}. */
    private static final class Version {
        static final String VALUE = load();

        private static String load() {
            try (InputStream in = EnvironmentCapture.class.getResourceAsStream("/dev/mlops/version.properties")) {
                if (in == null) {
                    return UNKNOWN;
                }
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                return v == null || v.isBlank() || v.contains("${") ? UNKNOWN : v.strip();
            } catch (IOException | RuntimeException e) {
                return UNKNOWN;
            }
        }
    }
}
