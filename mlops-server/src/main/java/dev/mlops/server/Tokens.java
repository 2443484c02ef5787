package dev.mlops.server;

import dev.mlops.InvalidArgumentException;
import dev.mlops.StorageException;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;
import dev.mlops.security.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The bearer tokens a server accepts, each mapped to a principal. Only SHA-256 digests of the tokens are kept; a
 * presented token is hashed and compared with every stored digest in constant time, so neither the comparison nor
 * the search reveals how much of a token matched. Tokens never appear in messages. Immutable and thread-safe.
 */
final class Tokens {
    private record Entry(byte[] digest, Principal principal) {
    }

    private final List<Entry> entries;

    private Tokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads a token file: one {@code TOKEN PRINCIPAL [ROLE,ROLE...]} per line, separated by white space; blank lines
     * and lines starting with {@code #} are ignored.
     *
     * @throws InvalidArgumentException (field {@code tokens}) naming the line that is wrong, never its token
     * @throws StorageException         when the file cannot be read
     */
    static Tokens read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StorageException("the token file " + file + " cannot be read: " + e.getClass().getSimpleName(),
                    e);
        }
        return parse(lines, file.toString());
    }

    static Tokens parse(List<String> lines, String source) {
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            String where = source + " line " + (i + 1);
            if (parts.length < 2 || parts.length > 3) {
                throw new InvalidArgumentException("tokens", where + ": expected 'TOKEN PRINCIPAL [ROLE,ROLE...]'");
            }
            if (parts[0].length() < 16) {
                throw new InvalidArgumentException("tokens", where + ": a token must have at least 16 characters");
            }
            if (!seen.add(parts[0])) {
                throw new InvalidArgumentException("tokens", where + ": the same token is listed twice");
            }
            Set<String> roles = parts.length == 3 ? new HashSet<>(Arrays.asList(parts[2].split(","))) : Set.of();
            Principal principal;
            try {
                principal = new Principal(parts[1], roles);
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException("tokens", where + ": " + e.getMessage());
            }
            entries.add(new Entry(sha256(parts[0]), principal));
        }
        if (entries.isEmpty()) {
            throw new InvalidArgumentException("tokens", source + " lists no token");
        }
        return new Tokens(entries);
    }

    /**
     * The access policy the roles of this file stand for when the server is given no policy of its own: a role named
     * after a {@link Permission} in any case ({@code read}, {@code write}, {@code approve}, {@code move_alias},
     * {@code admin}) grants that permission on every model, and {@code PERMISSION:MODEL} ({@code approve:churn})
     * grants it on that model only. A principal without roles may do nothing.
     *
     * @throws InvalidArgumentException (field {@code tokens}) naming a role that is neither form (and its principal,
     *     never a token)
     */
    AccessPolicy rolePolicy() {
        AccessPolicy.Builder policy = AccessPolicy.builder();
        Set<String> granted = new HashSet<>();
        for (Entry e : entries) {
            for (String role : e.principal().roles()) {
                if (!granted.add(role)) {
                    continue;
                }
                int colon = role.indexOf(':');
                Optional<Permission> permission = permission(colon < 0 ? role : role.substring(0, colon));
                String model = colon < 0 ? AccessPolicy.ALL_MODELS : role.substring(colon + 1);
                if (permission.isEmpty() || model.isEmpty()) {
                    throw new InvalidArgumentException("tokens", "the role '" + role + "' of principal '"
                            + e.principal().name() + "' is not a permission (" + permissionNames()
                            + ") or PERMISSION:MODEL; other roles need an access policy that grants them");
                }
                if (colon < 0) {
                    policy.grant(role, permission.get());
                } else {
                    policy.grantOnModel(role, model, permission.get());
                }
            }
        }
        return policy.build();
    }

    private static Optional<Permission> permission(String name) {
        for (Permission p : Permission.values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String permissionNames() {
        return Arrays.stream(Permission.values()).map(p -> p.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }

    /** The principal of {@code token}, or empty; looks at every entry whatever matches. */
    Optional<Principal> principalOf(String token) {
        byte[] digest = sha256(token);
        Principal found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), digest) && found == null) {
                found = e.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
