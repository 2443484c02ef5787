package dev.mlops.store.jdbc;

import dev.mlops.InvalidArgumentException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed {@code jdbc:postgresql://HOST[:PORT][,HOST[:PORT]...]/DATABASE[?PARAMETERS]} store URI: where to
 * connect, the driver properties, the store's own settings ({@code poolSize}, {@code connectTimeout},
 * {@code lockTimeout}) and a description without secrets. Immutable.
 *
 * <p>No message, description or {@link #toString()} of this class contains the password: errors quote the URI
 * with secret parameters left out, and the password travels to the driver only in {@link #driverProperties()},
 * never in a URL.
 */
final class PostgresUri {
    static final String SCHEME = "jdbc:postgresql";
    static final String EXAMPLE = "jdbc:postgresql://HOST:PORT/DATABASE?user=USER&password=PASSWORD";

    /** Connections one store keeps open at most. */
    static final int DEFAULT_POOL_SIZE = 10;
    static final int MAX_POOL_SIZE = 1000;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_TIMEOUT_SECONDS = 86_400;

    static final String POOL_SIZE = "poolSize";
    static final String CONNECT_TIMEOUT = "connectTimeout";
    static final String LOCK_TIMEOUT = "lockTimeout";
    /** Driver parameters whose value is a secret: never shown. */
    private static final Set<String> SECRET_PARAMETERS = Set.of("password", "sslpassword");
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|pass|pwd|token|secret).*");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?");

    private final String hosts;
    private final String database;
    private final String databaseName;
    private final String user;
    private final String password;
    private final Map<String, String> driverParameters;
    private final String description;
    private final int poolSize;
    private final Duration connectTimeout;
    private final Duration lockTimeout;

    private PostgresUri(String hosts, String database, String databaseName, String user, String password,
            Map<String, String> driverParameters, String description, int poolSize, Duration connectTimeout,
            Duration lockTimeout) {
        this.hosts = hosts;
        this.database = database;
        this.databaseName = databaseName;
        this.user = user;
        this.password = password;
        this.driverParameters = driverParameters;
        this.description = description;
        this.poolSize = poolSize;
        this.connectTimeout = connectTimeout;
        this.lockTimeout = lockTimeout;
    }

    /**
     * Parses and checks {@code uri}.
     *
     * @throws InvalidArgumentException (field {@code store}) when it is not a usable {@code jdbc:postgresql://}
     *         URI; the message quotes the URI without its secrets and says what was expected
     */
    static PostgresUri parse(String uri) {
        if (uri == null) {
            throw new InvalidArgumentException("store", "the store URI is required");
        }
        String prefix = SCHEME + ":";
        if (!uri.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw invalid(uri, "it does not start with " + prefix);
        }
        String rest = uri.substring(prefix.length());
        if (!rest.startsWith("//")) {
            throw invalid(uri, "the host part is missing");
        }
        rest = rest.substring(2);
        int query = rest.indexOf('?');
        String beforeQuery = query < 0 ? rest : rest.substring(0, query);
        String queryText = query < 0 ? "" : rest.substring(query + 1);
        if (queryText.contains("#") || beforeQuery.contains("#")) {
            throw invalid(uri, "it has a fragment ('#'); percent-encode '#' as %23 inside a value");
        }
        int slash = beforeQuery.indexOf('/');
        String hosts = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
        String database = slash < 0 ? "" : beforeQuery.substring(slash + 1);
        if (hosts.contains("@")) {
            throw invalid(uri, "credentials in the host part (USER:PASSWORD@HOST) are not supported; give them"
                    + " as parameters user and password");
        }
        checkHosts(uri, hosts);
        if (database.isEmpty()) {
            throw invalid(uri, "it names no database");
        }
        String databaseName;
        try {
            databaseName = decode(database);
        } catch (IllegalArgumentException e) {
            throw invalid(uri, "the database name is not valid percent-encoding");
        }
        if (databaseName.contains("/") || databaseName.isBlank() || hasControl(databaseName)) {
            throw invalid(uri, "the database name must be one non-blank name without '/' or control characters");
        }

        Map<String, String> parameters = parameters(uri, queryText);
        String user = parameters.get("user");
        if (user == null || user.isEmpty()) {
            throw invalid(uri, "it names no user; add the parameter user (and password when the server asks"
                    + " for one)");
        }
        String password = parameters.get("password");
        int poolSize = (int) number(uri, parameters, POOL_SIZE, DEFAULT_POOL_SIZE, MAX_POOL_SIZE, "connections");
        Duration connectTimeout = Duration.ofSeconds(number(uri, parameters, CONNECT_TIMEOUT,
                DEFAULT_CONNECT_TIMEOUT.toSeconds(), MAX_TIMEOUT_SECONDS, "seconds"));
        Duration lockTimeout = Duration.ofSeconds(number(uri, parameters, LOCK_TIMEOUT,
                DEFAULT_LOCK_TIMEOUT.toSeconds(), MAX_TIMEOUT_SECONDS, "seconds"));

        Map<String, String> driver = new LinkedHashMap<>(parameters);
        driver.remove(POOL_SIZE);
        driver.remove(LOCK_TIMEOUT);
        driver.remove(CONNECT_TIMEOUT);
        String description = SCHEME + "://" + hosts + "/" + database + publicQuery(queryText);
        return new PostgresUri(hosts, database, databaseName, user, password, Collections.unmodifiableMap(driver),
                description, poolSize, connectTimeout, lockTimeout);
    }

    private static void checkHosts(String uri, String hosts) {
        if (hosts.isEmpty()) {
            throw invalid(uri, "it names no host");
        }
        for (String host : hosts.split(",", -1)) {
            String name = host;
            String port = null;
            if (host.startsWith("[")) {
                int close = host.indexOf(']');
                if (close < 0 || !IPV6.matcher(host.substring(1, close)).matches()) {
                    throw invalid(uri, "'" + host + "' is not a valid [IPv6] host");
                }
                name = host.substring(0, close + 1);
                String after = host.substring(close + 1);
                if (!after.isEmpty()) {
                    if (!after.startsWith(":")) {
                        throw invalid(uri, "'" + host + "' is not a valid [IPv6]:PORT host");
                    }
                    port = after.substring(1);
                }
            } else {
                int colon = host.indexOf(':');
                if (colon >= 0) {
                    name = host.substring(0, colon);
                    port = host.substring(colon + 1);
                }
                if (!HOST_NAME.matcher(name).matches()) {
                    throw invalid(uri, "'" + host + "' is not a valid HOST or HOST:PORT");
                }
            }
            if (port != null && !validPort(port)) {
                throw invalid(uri, "the port of '" + host + "' must be a number from 1 to 65535");
            }
        }
    }

    private static boolean validPort(String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return false;
        }
        int n = Integer.parseInt(port);
        return n >= 1 && n <= 65535;
    }

    private static Map<String, String> parameters(String uri, String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&", -1)) {
            int equals = pair.indexOf('=');
            if (pair.isEmpty() || equals == 0) {
                throw invalid(uri, "it has an empty parameter name; expected NAME=VALUE pairs separated by '&'");
            }
            if (equals < 0) {
                // Not quoted: the piece could be the tail of a password that contained an unencoded '&'.
                throw invalid(uri, "a parameter has no '='; expected NAME=VALUE pairs separated by '&' (write"
                        + " '&' inside a value as %26)");
            }
            String name;
            String value;
            try {
                name = decode(pair.substring(0, equals));
            } catch (IllegalArgumentException e) {
                throw invalid(uri, "a parameter name is not valid percent-encoding");
            }
            try {
                value = decode(pair.substring(equals + 1));
            } catch (IllegalArgumentException e) {
                throw invalid(uri, "the value of parameter '" + shown(name) + "' is not valid percent-encoding");
            }
            if (parameters.putIfAbsent(name, value) != null) {
                throw invalid(uri, "parameter '" + shown(name) + "' is given twice");
            }
        }
        return parameters;
    }

    /** A parameter name for a message: printable ASCII and short, or a placeholder. */
    private static String shown(String name) {
        return name.length() <= 40 && name.chars().allMatch(ch -> ch > ' ' && ch < 127) ? name : "(unprintable)";
    }

    private static long number(String uri, Map<String, String> parameters, String name, long fallback, long max,
            String unit) {
        String value = parameters.get(name);
        if (value == null) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > max) {
            throw invalid(uri, "parameter " + name + " must be a whole number of " + unit + " from 1 to " + max
                    + ", was '" + (value.length() > 20 ? value.substring(0, 20) + "..." : value) + "'");
        }
        return n;
    }

    /** The query without secret parameters, with '?' in front, or "" when nothing remains. */
    private static String publicQuery(String query) {
        if (query.isEmpty()) {
            return "";
        }
        List<String> kept = new ArrayList<>();
        for (String pair : query.split("&", -1)) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String decoded;
            try {
                decoded = decode(name);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (!isSecret(decoded)) {
                kept.add(pair);
            }
        }
        return kept.isEmpty() ? "" : "?" + String.join("&", kept);
    }

    private static boolean isSecret(String parameterName) {
        return SECRET_PARAMETERS.contains(parameterName) || SECRET_NAME.matcher(parameterName).matches();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    /** The error for a URI that cannot be used; the URI is quoted with its secrets left out. */
    private static InvalidArgumentException invalid(String uri, String problem) {
        return new InvalidArgumentException("store", "store URI '" + redact(uri) + "' is not a valid PostgreSQL"
                + " store URI: " + problem + "; expected " + EXAMPLE);
    }

    /**
     * {@code uri} with every parameter whose name looks secret shown as {@code ***} and any
     * {@code USER:PASSWORD@} in the host part hidden; also for URIs that do not parse.
     */
    static String redact(String uri) {
        int query = uri.indexOf('?');
        String head = query < 0 ? uri : uri.substring(0, query);
        int at = head.lastIndexOf('@');
        if (at >= 0) {
            int start = head.indexOf("//");
            start = start < 0 ? 0 : start + 2;
            if (start <= at) {
                head = head.substring(0, start) + "***@" + head.substring(at + 1);
            }
        }
        if (query < 0) {
            return head;
        }
        List<String> pairs = new ArrayList<>();
        for (String pair : uri.substring(query + 1).split("[&;]", -1)) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String decoded;
            try {
                decoded = decode(name);
            } catch (IllegalArgumentException e) {
                decoded = name;
            }
            if (isSecret(decoded) || isSecret(name)) {
                pairs.add(name + "=***");
            } else if (equals < 0 && !pair.isEmpty()) {
                // A piece without '=' could be the tail of a secret that contained '&' unencoded.
                pairs.add("***");
            } else {
                pairs.add(pair);
            }
        }
        return head + "?" + String.join("&", pairs);
    }

    /** The URL given to the driver: hosts and database only; every parameter goes in the properties. */
    String driverUrl() {
        return SCHEME + "://" + hosts + "/" + database;
    }

    /**
     * The driver properties: the URI's driver parameters (user and password included), then the settings the
     * store needs: unspecified string parameters (so that a null bound as text fits any column type), batched
     * inserts rewritten into multi-row inserts, the connect and login timeouts, and an application name unless one
     * is given. A new object on each call.
     */
    Properties driverProperties() {
        Properties p = new Properties();
        driverParameters.forEach(p::setProperty);
        p.setProperty("stringtype", "unspecified");
        p.putIfAbsent("reWriteBatchedInserts", "true");
        p.putIfAbsent("ApplicationName", "mlops");
        p.setProperty("connectTimeout", Long.toString(connectTimeout.toSeconds()));
        p.setProperty("loginTimeout", Long.toString(connectTimeout.toSeconds()));
        return p;
    }

    /** For messages: {@code host:port/database} and the user, no password. */
    String target() {
        return hosts + "/" + databaseName + " as user " + user;
    }

    String description() {
        return description;
    }

    String user() {
        return user;
    }

    /** The password, or null when none was given. Never put it in a message. */
    String password() {
        return password;
    }

    int poolSize() {
        return poolSize;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    Duration lockTimeout() {
        return lockTimeout;
    }

    /** {@code text} with every occurrence of the password (of four characters or more) replaced by {@code ***}. */
    String scrub(String text) {
        if (text == null || password == null || password.length() < 4) {
            return text;
        }
        return text.replace(password, "***");
    }

    @Override
    public String toString() {
        return description;
    }

    static boolean isPostgresUri(String uri) {
        return uri != null && uri.toLowerCase(Locale.ROOT).startsWith(SCHEME + ":");
    }
}
