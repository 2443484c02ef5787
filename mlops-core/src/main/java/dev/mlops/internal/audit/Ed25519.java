package dev.mlops.internal.audit;

import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 with the JDK's own provider (JDK 15+): key checks, signing, verifying, key ids, and deriving the public key
 * of a private key. Stateless and thread-safe.
 */
public final class Ed25519 {
    /** The JCA name of the algorithm, for {@link KeyPairGenerator}, {@link KeyFactory} and {@link Signature}. */
    public static final String ALGORITHM = "Ed25519";

    private Ed25519() {
    }

    /** A new key pair from the JDK's default {@link SecureRandom}. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw unavailable(e);
        }
    }

    /**
     * The key as a JDK Ed25519 private key.
     *
     * @param field the argument name for messages
     * @throws InvalidArgumentException when {@code key} is null or not an Ed25519 private key
     */
    public static PrivateKey privateKey(PrivateKey key, String field) {
        if (key == null) {
            throw new InvalidArgumentException(field, field + " is required");
        }
        byte[] encoded = key.getEncoded();
        if (encoded == null) {
            throw new InvalidArgumentException(field, field + " must be an encodable Ed25519 private key, was "
                    + key.getAlgorithm() + " without an encoding");
        }
        try {
            return keyFactory().generatePrivate(new PKCS8EncodedKeySpec(encoded));
        } catch (InvalidKeySpecException e) {
            throw new InvalidArgumentException(field, field + " must be an Ed25519 private key, was "
                    + key.getAlgorithm(), e);
        }
    }

    /**
     * The key as a JDK Ed25519 public key.
     *
     * @param field the argument name for messages
     * @throws InvalidArgumentException when {@code key} is null or not an Ed25519 public key
     */
    public static PublicKey publicKey(PublicKey key, String field) {
        if (key == null) {
            throw new InvalidArgumentException(field, field + " is required");
        }
        byte[] encoded = key.getEncoded();
        if (encoded == null) {
            throw new InvalidArgumentException(field, field + " must be an encodable Ed25519 public key, was "
                    + key.getAlgorithm() + " without an encoding");
        }
        try {
            return keyFactory().generatePublic(new X509EncodedKeySpec(encoded));
        } catch (InvalidKeySpecException e) {
            throw new InvalidArgumentException(field, field + " must be an Ed25519 public key, was "
                    + key.getAlgorithm(), e);
        }
    }

    /** The key id: the first 16 lower-case hex digits of the SHA-256 of the key's X.509 encoding. */
    public static String keyId(PublicKey key) {
        byte[] encoded = publicKey(key, "publicKey").getEncoded();
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(encoded);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IntegrityException("SHA-256 is not available in this JVM");
        }
    }

    /**
     * The public key that belongs to {@code key}. The JDK has no direct API for this, so the key pair is regenerated
     * from the private key's 32 bytes (Ed25519 private keys are random bytes, the public key is computed from them);
     * the result is checked by signing and verifying a message.
     *
     * @throws InvalidArgumentException when {@code key} is not an Ed25519 private key
     */
    public static PublicKey publicKeyOf(PrivateKey key) {
        PrivateKey ed = privateKey(key, "privateKey");
        byte[] seed = ((EdECPrivateKey) ed).getBytes()
                .orElseThrow(() -> new InvalidArgumentException("privateKey",
                        "privateKey does not expose its key bytes, so its public key cannot be derived"));
        PublicKey derived;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new ReplayRandom(seed));
            derived = generator.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw unavailable(e);
        } catch (IllegalStateException e) {
            throw new InvalidArgumentException("privateKey",
                    "the public key of privateKey could not be derived with this JVM's Ed25519 provider", e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
        String probe = "mlops-audit-key-check";
        if (!verify(derived, probe, sign(ed, probe))) {
            throw new InvalidArgumentException("privateKey",
                    "the public key of privateKey could not be derived with this JVM's Ed25519 provider");
        }
        return derived;
    }

    /** Signs the UTF-8 bytes of {@code message}; the signature is returned in base64. */
    public static String sign(PrivateKey key, String message) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey(key, "privateKey"));
            signature.update(message.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (InvalidKeyException e) {
            throw new InvalidArgumentException("privateKey", "privateKey cannot sign: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException | SignatureException e) {
            throw unavailable(e);
        }
    }

    /**
     * Whether {@code signatureBase64} is a valid signature of the UTF-8 bytes of {@code message} by {@code key}.
     * A signature that is not base64 or has the wrong length is simply not valid.
     */
    public static boolean verify(PublicKey key, String message, String signatureBase64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(signatureBase64);
        } catch (IllegalArgumentException e) {
            return false;
        }
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(publicKey(key, "publicKey"));
            signature.update(message.getBytes(StandardCharsets.UTF_8));
            return signature.verify(bytes);
        } catch (SignatureException e) {
            return false;
        } catch (InvalidKeyException e) {
            throw new InvalidArgumentException("publicKey", "publicKey cannot verify: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw unavailable(e);
        }
    }

    private static KeyFactory keyFactory() {
        try {
            return KeyFactory.getInstance(ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw unavailable(e);
        }
    }

    private static IntegrityException unavailable(GeneralSecurityException e) {
        IntegrityException failure = new IntegrityException("Ed25519 is not available in this JVM: " + e.getMessage());
        failure.initCause(e);
        return failure;
    }

    /** Hands out the given bytes (once), so that the key pair generator recreates the pair of a known private key. */
    private static final class ReplayRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;

        ReplayRandom(byte[] bytes) {
            super(new ReplaySpi(bytes), null);
        }
    }

    private static final class ReplaySpi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;
        private boolean used;

        ReplaySpi(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        protected void engineSetSeed(byte[] seed) {
        }

        @Override
        protected void engineNextBytes(byte[] out) {
            if (used || out.length != bytes.length) {
                throw new IllegalStateException("unexpected request for " + out.length + " random bytes");
            }
            System.arraycopy(bytes, 0, out, 0, out.length);
            Arrays.fill(bytes, (byte) 0);
            used = true;
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            throw new IllegalStateException("unexpected request for a seed");
        }
    }
}
