package dev.mlops.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.MlopsException;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every codec reads back exactly what it wrote, through bytes, for seeded random instances (see {@link WireGen}):
 * the domain value is equal (doubles compared bit for bit by the records' equals), and writing it again gives the
 * same tree.
 */
@DisplayName("Round trips through the wire format are exact")
class RoundTripTest {
    static final int SEEDS = 150;

    static Stream<Arguments> codecsAndSeeds() {
        return Codecs.ALL.stream().flatMap(c -> LongStream.range(0, SEEDS).mapToObj(seed -> Arguments.of(c, seed)));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("codecsAndSeeds")
    void reads_back_what_it_wrote(Codecs.Codec<?> codec, long seed) {
        check(codec, new WireGen(seed ^ codec.type().getName().hashCode()));
    }

    private static <T> void check(Codecs.Codec<T> codec, WireGen g) {
        T value = codec.generate().apply(g);
        JsonNode written = codec.write().apply(value);
        byte[] bytes = Wire.toBytes(written);
        T back = codec.read().read(Wire.parse(bytes), "");
        assertThat(back).isEqualTo(value);
        assertThat((JsonNode) codec.write().apply(back)).isEqualTo(written);
    }

    static LongStream seeds() {
        return LongStream.range(0, SEEDS);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void errors(long seed) {
        MlopsException e = new WireGen(seed).exception();
        MlopsException back = ErrorWire.read(Wire.parse(Wire.toBytes(ErrorWire.write(e))), "");
        assertThat(back).hasSameClassAs(e);
        assertThat(back.code()).isEqualTo(e.code());
        assertThat(back.getMessage()).isEqualTo(e.getMessage());
        assertThat(back.field()).isEqualTo(e.field());
    }
}
