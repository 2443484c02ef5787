package dev.mlops.audit;

import dev.mlops.AlreadyExistsException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.StorageException;
import dev.mlops.internal.audit.Ed25519;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys for audit checkpoints ({@link AuditLog#checkpoint}): generate them, derive key ids, and keep them in
 * files. Keep the private key outside the store (whoever can write the store must not be able to sign).
 *
 * <p>Files are PEM: a private key is PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), a public key X.509
 * SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}), as written by {@code openssl genpkey -algorithm ed25519}
 * and {@code openssl pkey -pubout}. Reading also accepts the bare base64 of the same DER bytes. Writing never
 * replaces an existing file, and a private key file is readable by its owner only where the file system has POSIX
 * permissions.
 *
 * <p>Stateless and thread-safe.
 */
public final class AuditKeys {
    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";

    private AuditKeys() {
    }

    /** A new Ed25519 key pair. */
    public static KeyPair generate() {
        return Ed25519.generate();
    }

    /**
     * The id of a public key, as recorded in {@link AuditCheckpoint#keyId()}: the first 16 lower-case hex digits
     * of the SHA-256 of {@code publicKey.getEncoded()} (its X.509 encoding).
     *
     * @throws InvalidArgumentException when the key is not an Ed25519 public key
     */
    public static String keyId(PublicKey publicKey) {
        return Ed25519.keyId(publicKey);
    }

    /**
     * The public key of an Ed25519 private key.
     *
     * @throws InvalidArgumentException when the key is not an Ed25519 private key
     */
    public static PublicKey publicKey(PrivateKey privateKey) {
        return Ed25519.publicKeyOf(privateKey);
    }

    /**
     * Writes {@code privateKey} to a new file as PKCS#8 PEM, readable by its owner only (POSIX file systems).
     *
     * @throws AlreadyExistsException   when {@code file} exists
     * @throws InvalidArgumentException when the key is not an Ed25519 private key
     * @throws StorageException         when the file cannot be written
     */
    public static void writePrivateKey(Path file, PrivateKey privateKey) {
        byte[] der = Ed25519.privateKey(privateKey, "privateKey").getEncoded();
        writeNew(file, pem(PRIVATE_LABEL, der), true);
    }

    /**
     * Writes {@code publicKey} to a new file as X.509 PEM.
     *
     * @throws AlreadyExistsException   when {@code file} exists
     * @throws InvalidArgumentException when the key is not an Ed25519 public key
     * @throws StorageException         when the file cannot be written
     */
    public static void writePublicKey(Path file, PublicKey publicKey) {
        byte[] der = Ed25519.publicKey(publicKey, "publicKey").getEncoded();
        writeNew(file, pem(PUBLIC_LABEL, der), false);
    }

    /**
     * Reads an Ed25519 private key from a PKCS#8 PEM file or a file holding the base64 of PKCS#8 DER.
     *
     * @throws InvalidArgumentException when the file does not exist or holds no Ed25519 private key (the field is
     *                                  the file's path)
     * @throws StorageException         when the file cannot be read
     */
    public static PrivateKey readPrivateKey(Path file) {
        byte[] der = decode(file, read(file), PRIVATE_LABEL);
        try {
            return keyFactory().generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw new InvalidArgumentException(file.toString(), file + " does not hold an Ed25519 private key "
                    + "(PKCS#8)", e);
        }
    }

    /**
     * Reads an Ed25519 public key from an X.509 PEM file or a file holding the base64 of X.509 DER.
     *
     * @throws InvalidArgumentException when the file does not exist or holds no Ed25519 public key (the field is
     *                                  the file's path)
     * @throws StorageException         when the file cannot be read
     */
    public static PublicKey readPublicKey(Path file) {
        byte[] der = decode(file, read(file), PUBLIC_LABEL);
        try {
            return keyFactory().generatePublic(new X509EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw new InvalidArgumentException(file.toString(), file + " does not hold an Ed25519 public key "
                    + "(X.509)", e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n"
                + "-----END " + label + "-----\n";
    }

    private static byte[] decode(Path file, String text, String label) {
        String body = text.strip();
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        if (body.startsWith("-----BEGIN ")) {
            int from = body.indexOf(begin);
            int to = body.indexOf(end);
            if (from != 0 || to < 0) {
                String found = body.lines().findFirst().orElse("");
                throw new InvalidArgumentException(file.toString(), file + " must be PEM with " + begin
                        + " ... " + end + ", found " + (found.length() > 40 ? found.substring(0, 40) : found));
            }
            body = body.substring(begin.length(), to);
        }
        String base64 = body.replaceAll("\\s+", "");
        if (base64.isEmpty()) {
            throw new InvalidArgumentException(file.toString(), file + " holds no key");
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(file.toString(), file + " is neither PEM nor base64: "
                    + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException(file.toString(), "key file does not exist: " + file, e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidArgumentException(file.toString(), file + " is not a PEM or base64 text file", e);
        } catch (IOException e) {
            throw new StorageException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes to a temporary file next to {@code file}, then moves it into place unless {@code file} exists. */
    private static void writeNew(Path file, String text, boolean ownerOnly) {
        if (Files.exists(file)) {
            throw new AlreadyExistsException("key file already exists, not replacing it: " + file);
        }
        Path dir = file.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
            temp = ownerOnly && posix
                    ? Files.createTempFile(dir, ".key-", ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".key-", ".tmp");
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            if (!ownerOnly && posix) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(temp, file);
            temp = null;
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExistsException("key file already exists, not replacing it: " + file);
        } catch (IOException e) {
            throw new StorageException("cannot write key file " + file + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the temporary file is left behind; the key file itself was not written
                }
            }
        }
    }

    private static KeyFactory keyFactory() {
        try {
            return KeyFactory.getInstance(Ed25519.ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new StorageException("Ed25519 is not available in this JVM", e);
        }
    }
}
