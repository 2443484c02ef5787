package dev.mlops.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.internal.StoreResolver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and checking of {@code jdbc:postgresql:} store URIs; needs no server. */
class PostgresUriTest {

    @Test
    @DisplayName("a full URI gives the driver hosts and database in the URL and every parameter as a property")
    void fullUri() {
        PostgresUri uri = PostgresUri.parse("jdbc:postgresql://db.example.org:6543/mlops?user=alice&password=s3cr%26t"
                + "&sslmode=require&poolSize=4&connectTimeout=3&lockTimeout=7");
        assertThat(uri.driverUrl()).isEqualTo("jdbc:postgresql://db.example.org:6543/mlops");
        assertThat(uri.user()).isEqualTo("alice");
        assertThat(uri.password()).isEqualTo("s3cr&t");
        assertThat(uri.poolSize()).isEqualTo(4);
        assertThat(uri.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(uri.lockTimeout()).isEqualTo(Duration.ofSeconds(7));
        Properties p = uri.driverProperties();
        assertThat(p.getProperty("user")).isEqualTo("alice");
        assertThat(p.getProperty("password")).isEqualTo("s3cr&t");
        assertThat(p.getProperty("sslmode")).isEqualTo("require");
        assertThat(p.getProperty("stringtype")).isEqualTo("unspecified");
        assertThat(p.getProperty("reWriteBatchedInserts")).isEqualTo("true");
        assertThat(p.getProperty("ApplicationName")).isEqualTo("mlops");
        assertThat(p.getProperty("connectTimeout")).isEqualTo("3");
        assertThat(p.getProperty("loginTimeout")).isEqualTo("3");
        assertThat(p).doesNotContainKeys("poolSize", "lockTimeout");
        assertThat(uri.description())
                .isEqualTo("jdbc:postgresql://db.example.org:6543/mlops?user=alice&sslmode=require&poolSize=4"
                        + "&connectTimeout=3&lockTimeout=7");
        assertThat(uri.target()).isEqualTo("db.example.org:6543/mlops as user alice");
        assertThat(uri.toString()).doesNotContain("s3cr");
    }

    @Test
    @DisplayName("without the store's own parameters the documented defaults apply, and the caller's application name"
            + " is kept")
    void defaults() {
        PostgresUri uri = PostgresUri.parse("JDBC:PostgreSQL://127.0.0.1/mlops?user=bob&ApplicationName=trainer");
        assertThat(uri.poolSize()).isEqualTo(10);
        assertThat(uri.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(uri.lockTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(uri.password()).isNull();
        assertThat(uri.driverProperties().getProperty("ApplicationName")).isEqualTo("trainer");
        assertThat(uri.driverProperties()).doesNotContainKey("password");
        assertThat(uri.description()).isEqualTo("jdbc:postgresql://127.0.0.1/mlops?user=bob&ApplicationName=trainer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:postgresql://[::1]:5432/m?user=u", "jdbc:postgresql://[fe80::1%25eth0]/m?user=u",
        "jdbc:postgresql://h1:5432,h2:5433,[::1]/m?user=u&targetServerType=primary",
        "jdbc:postgresql://my_host-1.internal:1/m?user=u", "jdbc:postgresql://h:65535/data%20base?user=u"})
    @DisplayName("IPv6 hosts, several hosts and percent-encoded database names are accepted")
    void validForms(String text) {
        PostgresUri uri = PostgresUri.parse(text);
        assertThat(uri.driverUrl()).isEqualTo(text.substring(0, text.indexOf('?')));
    }

    static Stream<Arguments> invalidUris() {
        return Stream.of(
                Arguments.of("jdbc:postgresql:mlops?user=u", "the host part is missing"),
                Arguments.of("jdbc:postgresql://?user=u", "names no host"),
                Arguments.of("jdbc:postgresql:///m?user=u", "names no host"),
                Arguments.of("jdbc:postgresql://h:5432?user=u", "names no database"),
                Arguments.of("jdbc:postgresql://h:5432/?user=u", "names no database"),
                Arguments.of("jdbc:postgresql://h:5432/a/b?user=u", "database name"),
                Arguments.of("jdbc:postgresql://h:0/m?user=u", "port"),
                Arguments.of("jdbc:postgresql://h:70000/m?user=u", "port"),
                Arguments.of("jdbc:postgresql://h:x/m?user=u", "port"),
                Arguments.of("jdbc:postgresql://h:/m?user=u", "port"),
                Arguments.of("jdbc:postgresql://h h/m?user=u", "is not a valid HOST"),
                Arguments.of("jdbc:postgresql://[zz]/m?user=u", "IPv6"),
                Arguments.of("jdbc:postgresql://h1,,h2/m?user=u", "is not a valid HOST"),
                Arguments.of("jdbc:postgresql://h/m", "names no user"),
                Arguments.of("jdbc:postgresql://h/m?user=", "names no user"),
                Arguments.of("jdbc:postgresql://h/m?user=u&user=v", "parameter 'user' is given twice"),
                Arguments.of("jdbc:postgresql://h/m?user=u&&x=1", "empty parameter name"),
                Arguments.of("jdbc:postgresql://h/m?user=u&=1", "empty parameter name"),
                Arguments.of("jdbc:postgresql://h/m?user=u&ssl", "a parameter has no '='"),
                Arguments.of("jdbc:postgresql://h/m?user=u&x=%zz", "value of parameter 'x' is not valid"),
                Arguments.of("jdbc:postgresql://h/m?user=u&poolSize=0", "poolSize must be a whole number"),
                Arguments.of("jdbc:postgresql://h/m?user=u&poolSize=1001", "poolSize must be a whole number"),
                Arguments.of("jdbc:postgresql://h/m?user=u&poolSize=ten", "poolSize must be a whole number"),
                Arguments.of("jdbc:postgresql://h/m?user=u&connectTimeout=-1", "connectTimeout must be"),
                Arguments.of("jdbc:postgresql://h/m?user=u&lockTimeout=1.5", "lockTimeout must be"),
                Arguments.of("jdbc:postgresql://h/m?user=u#frag", "fragment"),
                Arguments.of("jdbc:mysql://h/m?user=u", "does not start with jdbc:postgresql:"));
    }

    @ParameterizedTest
    @MethodSource("invalidUris")
    @DisplayName("a URI that cannot be used is an InvalidArgumentException on field store that says what is wrong")
    void invalid(String text, String problem) {
        InvalidArgumentException e = catchThrowableOfType(InvalidArgumentException.class,
                () -> PostgresUri.parse(text));
        assertThat(e).as("error for %s", text).isNotNull();
        assertThat(e.field()).contains("store");
        assertThat(e.getMessage()).contains(problem).contains("expected " + PostgresUri.EXAMPLE);
    }

    /** Passwords that are hard to keep out of messages: URI punctuation, percent signs, unicode, spaces. */
    private static String randomPassword(SplittableRandom random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@:/?&=;%#+ ~!$'()*,é€";
        StringBuilder sb = new StringBuilder("Pw");
        int length = 8 + random.nextInt(16);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Every URI shape that is refused, with the password placed raw or percent-encoded. */
    private static List<String> brokenUrisWith(String password) {
        String enc = encode(password);
        return List.of(
                "jdbc:postgresql://h/m?user=u&password=" + enc + "&poolSize=0",
                "jdbc:postgresql://h/m?user=u&password=" + enc + "&password=" + enc,
                "jdbc:postgresql://h/m?password=" + enc,
                "jdbc:postgresql://h:99999/m?user=u&password=" + enc,
                "jdbc:postgresql://h/m?user=u&password=" + password,
                "jdbc:postgresql://u:" + password + "@h/m",
                "jdbc:postgresql://u:" + enc + "@h:5432/m?user=u",
                "jdbc:postgresql://h/?user=u&password=" + enc,
                "jdbc:postgresql://h/m?user=u&sslpassword=" + enc + "&x",
                "jdbc:postgresql:m?user=u&password=" + enc,
                "jdbc:postgresql://h/m?user=u&password=" + enc + "&lockTimeout=x",
                "jdbc:postgresql://h/m?user=u&password=" + enc + "%zz",
                "jdbc:postgresql://h/m?user=u&password=" + enc + "#x");
    }

    @RepeatedTest(20)
    @DisplayName("no error for a URI that cannot be used contains the password, raw or encoded, nor do its causes")
    void errorsNeverContainThePassword(RepetitionInfo repetition) {
        SplittableRandom random = new SplittableRandom(7919L * repetition.getCurrentRepetition());
        String password = randomPassword(random);
        for (String text : brokenUrisWith(password)) {
            Throwable e = catchThrowableOfType(MlopsException.class, () -> PostgresUri.parse(text));
            if (e == null) {
                // The password made the URI parse after all (it contained no character that breaks it): only the
                // shapes whose structure is wrong whatever the password are guaranteed to fail.
                continue;
            }
            assertThat(e).isInstanceOf(InvalidArgumentException.class);
            assertThat(fullText(e)).as("error for a URI with password %s", password)
                    .doesNotContain(password).doesNotContain(encode(password));
        }
    }

    @RepeatedTest(20)
    @DisplayName("the description and the redacted form of a URI never contain the password")
    void descriptionsNeverContainThePassword(RepetitionInfo repetition) {
        SplittableRandom random = new SplittableRandom(104_729L * repetition.getCurrentRepetition());
        String password = randomPassword(random);
        String text = "jdbc:postgresql://h:5432/m?user=u&password=" + encode(password) + "&ssl=true";
        PostgresUri uri = PostgresUri.parse(text);
        assertThat(uri.password()).isEqualTo(password);
        assertThat(uri.description()).isEqualTo("jdbc:postgresql://h:5432/m?user=u&ssl=true");
        for (String redacted : List.of(PostgresUri.redact(text), StoreResolver.redact(text))) {
            assertThat(redacted).doesNotContain(password).doesNotContain(encode(password));
        }
        for (String broken : brokenUrisWith(password)) {
            assertThat(PostgresUri.redact(broken)).doesNotContain(password).doesNotContain(encode(password));
        }
        assertThat(uri.scrub("server said: " + password)).isEqualTo("server said: ***");
    }

    @Test
    @DisplayName("the provider knows the jdbc:postgresql scheme and the store resolver sends such URIs to it")
    void scheme() {
        assertThat(new JdbcStoreProvider().schemes()).contains("jdbc:postgresql", "sqlite");
        assertThat(StoreResolver.availableSchemes(false)).contains("jdbc:postgresql");
        assertThatThrownBy(() -> StoreResolver.open("jdbc:postgresql://h:0/m?user=u&password=Hunter2Secret", false))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("port")
                .hasMessageNotContaining("Hunter2Secret");
    }

    static String fullText(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
