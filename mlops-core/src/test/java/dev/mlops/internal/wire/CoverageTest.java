package dev.mlops.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.spi.ArtifactStore;
import dev.mlops.spi.MetadataStore;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The codecs cover the SPI: every record of the library that a {@link MetadataStore} or {@link ArtifactStore} method
 * takes or returns (inside collections, {@code Optional}, {@code Page} and {@code Created} too), and every record
 * they hold, has a codec in {@link Codecs#ALL}, and so a round trip in {@link RoundTripTest}; so does every enum
 * that a method takes or returns directly. Adding a type to the SPI without a codec fails here.
 */
class CoverageTest {

    @Test
    void every_spi_type_has_a_codec() {
        Set<Class<?>> needed = new java.util.HashSet<>();
        for (Class<?> spi : new Class<?>[] {MetadataStore.class, ArtifactStore.class}) {
            for (Method m : spi.getMethods()) {
                if (m.getDeclaringClass() == Object.class || m.getName().equals("close")) {
                    continue;
                }
                collect(m.getGenericReturnType(), needed, true);
                for (Type p : m.getGenericParameterTypes()) {
                    collect(p, needed, true);
                }
            }
        }
        Set<String> covered = Codecs.ALL.stream().map(c -> c.type().getName()).collect(Collectors.toSet());
        Set<String> missing = new TreeSet<>();
        for (Class<?> c : needed) {
            if (!covered.contains(c.getName())) {
                missing.add(c.getName());
            }
        }
        assertThat(missing).as("SPI types without a codec").isEmpty();
        assertThat(needed).as("the walk found the SPI's types").hasSizeGreaterThan(30);
    }

    /** Adds the library's records reachable from {@code type}, and its enums when {@code topLevel}. */
    private static void collect(Type type, Set<Class<?>> out, boolean topLevel) {
        if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), out, topLevel);
            for (Type arg : p.getActualTypeArguments()) {
                collect(arg, out, topLevel);
            }
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                collect(bound, out, topLevel);
            }
        } else if (type instanceof Class<?> c && c.getName().startsWith("dev.mlops.")) {
            if (c.isRecord() && out.add(c)) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    collect(rc.getGenericType(), out, false);
                }
            } else if (c.isEnum() && topLevel) {
                out.add(c);
            }
        }
    }
}
