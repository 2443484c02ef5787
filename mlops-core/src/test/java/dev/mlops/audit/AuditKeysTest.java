package dev.mlops.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditKeysTest {
    @TempDir
    Path dir;

    private Path resource(String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = AuditKeysTest.class.getResourceAsStream(name)) {
            Files.copy(in, file);
        }
        return file;
    }

    private static boolean verifies(PublicKey key, PrivateKey signer) throws Exception {
        Signature sign = Signature.getInstance("Ed25519");
        sign.initSign(signer);
        sign.update("m".getBytes(StandardCharsets.UTF_8));
        byte[] signature = sign.sign();
        Signature verify = Signature.getInstance("Ed25519");
        verify.initVerify(key);
        verify.update("m".getBytes(StandardCharsets.UTF_8));
        return verify.verify(signature);
    }

    @Test
    void keysSurviveAPemRoundTrip() throws Exception {
        KeyPair keys = AuditKeys.generate();
        Path privateFile = dir.resolve("keys/audit.key");
        Path publicFile = dir.resolve("keys/audit.pub");
        AuditKeys.writePrivateKey(privateFile, keys.getPrivate());
        AuditKeys.writePublicKey(publicFile, keys.getPublic());

        assertThat(Files.readString(privateFile)).startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Files.readString(publicFile)).startsWith("-----BEGIN PUBLIC KEY-----\n");
        PrivateKey privateKey = AuditKeys.readPrivateKey(privateFile);
        PublicKey publicKey = AuditKeys.readPublicKey(publicFile);
        assertThat(privateKey.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(publicKey.getEncoded()).isEqualTo(keys.getPublic().getEncoded());
        assertThat(verifies(publicKey, privateKey)).isTrue();
    }

    @Test
    void thePrivateKeyFileIsForItsOwnerOnly() throws IOException {
        Path file = dir.resolve("audit.key");
        AuditKeys.writePrivateKey(file, AuditKeys.generate().getPrivate());
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(file))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void existingFilesAreNeverReplaced() throws IOException {
        Path file = dir.resolve("audit.key");
        Files.writeString(file, "precious");
        assertThatThrownBy(() -> AuditKeys.writePrivateKey(file, AuditKeys.generate().getPrivate()))
                .isInstanceOf(AlreadyExistsException.class).hasMessageContaining(file.toString());
        assertThatThrownBy(() -> AuditKeys.writePublicKey(file, AuditKeys.generate().getPublic()))
                .isInstanceOf(AlreadyExistsException.class);
        assertThat(Files.readString(file)).isEqualTo("precious");
    }

    @Test
    void bareBase64FilesAreReadToo() throws IOException {
        KeyPair keys = AuditKeys.generate();
        Path privateFile = dir.resolve("k.b64");
        Path publicFile = dir.resolve("p.b64");
        Files.writeString(privateFile, Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()) + "\n");
        Files.writeString(publicFile, Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded()));
        assertThat(AuditKeys.readPrivateKey(privateFile).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(AuditKeys.readPublicKey(publicFile).getEncoded()).isEqualTo(keys.getPublic().getEncoded());
    }

    @Test
    void keyIdIsTheStartOfTheSha256OfTheEncodedPublicKey() throws Exception {
        PublicKey key = AuditKeys.generate().getPublic();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        assertThat(AuditKeys.keyId(key)).hasSize(16).isEqualTo(HexFormat.of().formatHex(digest).substring(0, 16));
    }

    @Test
    void thePublicKeyIsDerivedFromThePrivateKey() {
        for (int i = 0; i < 20; i++) {
            KeyPair keys = AuditKeys.generate();
            assertThat(AuditKeys.publicKey(keys.getPrivate()).getEncoded()).isEqualTo(keys.getPublic().getEncoded());
        }
    }

    /** Keys made by OpenSSL ({@code openssl genpkey -algorithm ed25519}) and a signature made with it. */
    @Test
    void interoperatesWithOpenSsl() throws Exception {
        PrivateKey privateKey = AuditKeys.readPrivateKey(resource("openssl-ed25519-private.pem"));
        PublicKey publicKey = AuditKeys.readPublicKey(resource("openssl-ed25519-public.pem"));
        assertThat(AuditKeys.keyId(publicKey)).isEqualTo("d04de319ebea02bd");
        assertThat(AuditKeys.publicKey(privateKey).getEncoded()).isEqualTo(publicKey.getEncoded());
        String signature;
        try (InputStream in = AuditKeysTest.class.getResourceAsStream("openssl-signature.b64")) {
            signature = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        }
        AuditCheckpoint checkpoint = new AuditCheckpoint(3, "a".repeat(64),
                Instant.parse("2026-01-31T12:00:04.500Z"), "d04de319ebea02bd", signature);
        Signature verify = Signature.getInstance("Ed25519");
        verify.initVerify(publicKey);
        verify.update(checkpoint.signedMessage().getBytes(StandardCharsets.UTF_8));
        assertThat(verify.verify(Base64.getDecoder().decode(signature))).isTrue();
    }

    @Test
    void badFilesAreInvalidArgumentsNamingTheFile() throws IOException {
        Path missing = dir.resolve("missing.key");
        Path garbage = dir.resolve("garbage.key");
        Files.writeString(garbage, "not a key at all!");
        Path empty = dir.resolve("empty.key");
        Files.writeString(empty, "\n");
        Path publicOnly = dir.resolve("audit.pub");
        AuditKeys.writePublicKey(publicOnly, AuditKeys.generate().getPublic());
        Path notEd25519 = dir.resolve("x.b64");
        Files.writeString(notEd25519, Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}));

        for (Path file : new Path[] {missing, garbage, empty, publicOnly, notEd25519}) {
            assertThatThrownBy(() -> AuditKeys.readPrivateKey(file))
                    .as(file.toString())
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(file.toString())
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains(file.toString()));
        }
        assertThatThrownBy(() -> AuditKeys.readPublicKey(garbage)).isInstanceOf(InvalidArgumentException.class);
        Path privateOnly = dir.resolve("audit.key");
        AuditKeys.writePrivateKey(privateOnly, AuditKeys.generate().getPrivate());
        assertThatThrownBy(() -> AuditKeys.readPublicKey(privateOnly))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("BEGIN PUBLIC KEY");
    }

    @Test
    void nonEd25519KeysAreRejected() throws Exception {
        KeyPair ec = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair();
        assertThatThrownBy(() -> AuditKeys.writePrivateKey(dir.resolve("ec.key"), ec.getPrivate()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("Ed25519");
        assertThatThrownBy(() -> AuditKeys.keyId(ec.getPublic()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("Ed25519");
        assertThatThrownBy(() -> AuditKeys.publicKey(ec.getPrivate())).isInstanceOf(InvalidArgumentException.class);
        assertThat(Files.exists(dir.resolve("ec.key"))).isFalse();
    }
}
