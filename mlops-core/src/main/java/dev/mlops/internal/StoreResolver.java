package dev.mlops.internal;

import dev.mlops.InvalidArgumentException;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.StoreProvider;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.store.memory.MemoryStoreProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the provider of a store URI: built-ins are registered directly, then providers found with
 * {@link ServiceLoader} (unless disabled). A provider that fails to load is logged and skipped.
 */
public final class StoreResolver {
    private static final Logger LOG = LoggerFactory.getLogger(StoreResolver.class);

    private StoreResolver() {
    }

    /** Opens the store at {@code uri}. */
    public static MetadataStore open(String uri, boolean serviceLoading) {
        String scheme = schemeOf(uri);
        Map<String, StoreProvider> providers = providers(serviceLoading);
        StoreProvider provider = providers.get(scheme);
        if (provider == null) {
            throw new InvalidArgumentException("store", "no store provider for scheme '" + scheme + "' in '"
                    + redact(uri) + "'; available: " + String.join(", ", providers.keySet()));
        }
        return provider.open(uri);
    }

    /** The schemes that can be opened. */
    public static Set<String> availableSchemes(boolean serviceLoading) {
        return new LinkedHashSet<>(providers(serviceLoading).keySet());
    }

    /** {@code sqlite} for {@code sqlite:x}, {@code jdbc:postgresql} for {@code jdbc:postgresql://...}. */
    static String schemeOf(String uri) {
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            throw new InvalidArgumentException("store", "a store URI must start with a scheme such as memory:,"
                    + " sqlite:PATH or jdbc:postgresql://...; was '" + redact(uri) + "'");
        }
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        if (scheme.equals("jdbc")) {
            int second = uri.indexOf(':', colon + 1);
            if (second > colon + 1) {
                scheme = "jdbc:" + uri.substring(colon + 1, second).toLowerCase(Locale.ROOT);
            }
        }
        return scheme;
    }

    private static Map<String, StoreProvider> providers(boolean serviceLoading) {
        Map<String, StoreProvider> byScheme = new LinkedHashMap<>();
        List<StoreProvider> all = new ArrayList<>(List.of(new MemoryStoreProvider(), new JdbcStoreProvider()));
        if (serviceLoading) {
            Iterator<StoreProvider> it = ServiceLoader.load(StoreProvider.class).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    all.add(it.next());
                } catch (ServiceConfigurationError e) {
                    LOG.warn("Skipping a store provider that failed to load: {}", e.getMessage());
                }
            }
        }
        for (StoreProvider p : all) {
            try {
                for (String s : p.schemes()) {
                    byScheme.putIfAbsent(s.toLowerCase(Locale.ROOT), p);
                }
            } catch (RuntimeException e) {
                LOG.warn("Skipping store provider {}: {}", p.getClass().getName(), e.toString());
            }
        }
        return byScheme;
    }

    /** The URI without anything that looks like a password or token. */
    public static String redact(String uri) {
        return uri.replaceAll("(?i)(password|pass|pwd|token|secret)=[^&;]*", "$1=***")
                .replaceAll("//([^/@:]+):([^/@]+)@", "//$1:***@");
    }
}
