package dev.mlops.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.Page;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method of {@link MetadataStore} goes through a {@link ForwardingMetadataStore} unchanged: found by
 * reflection over the interface, so a method added to the SPI is covered without touching this test. The delegate is
 * a recording {@link Proxy} that returns a fresh value of the method's return type (or throws), and the test checks
 * identity: same method, the very same arguments, the very same result or exception.
 */
class ForwardingMetadataStoreTest {

    /** One call the recording delegate received. */
    private record Call(Method method, Object[] args) {
    }

    /** A recording delegate: remembers its calls and answers with {@link #answer}, or throws {@link #failure}. */
    private static final class Recorder implements InvocationHandler {
        final List<Call> calls = new ArrayList<>();
        Object answer;
        RuntimeException failure;

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "toString" -> "recording delegate";
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> proxy == args[0];
                };
            }
            calls.add(new Call(method, args == null ? new Object[0] : args));
            if (failure != null) {
                throw failure;
            }
            return answer;
        }
    }

    private static final class Forwarder extends ForwardingMetadataStore {
        private final MetadataStore delegate;

        Forwarder(MetadataStore delegate) {
            this.delegate = delegate;
        }

        @Override
        protected MetadataStore delegate() {
            return delegate;
        }
    }

    static Stream<Method> storeMethods() {
        return Arrays.stream(MetadataStore.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .sorted(Comparator.comparing(Method::getName).thenComparing(m -> m.getParameterCount()));
    }

    @Test
    @DisplayName("the reflective tests below see the whole SPI")
    void theSpiIsLarge() {
        assertThat(storeMethods().map(Method::getName)).contains("describe", "createRun", "createModel", "setAlias",
                "appendAuditEvent", "checkpoints", "close").hasSizeGreaterThan(30);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storeMethods")
    @DisplayName("each method is overridden in ForwardingMetadataStore, so none falls back to a default")
    void everyMethodIsDeclared(Method method) throws NoSuchMethodException {
        Method declared = ForwardingMetadataStore.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
        assertThat(Modifier.isAbstract(declared.getModifiers())).isFalse();
        assertThat(Modifier.isPublic(declared.getModifiers())).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storeMethods")
    @DisplayName("each method passes the very same arguments to the delegate, once, and returns its very result")
    void argumentsAndResultAreForwarded(Method method) throws Exception {
        Recorder recorder = new Recorder();
        MetadataStore store = new Forwarder(recording(recorder));
        Object[] args = arguments(method);
        recorder.answer = method.getReturnType() == void.class ? null : sample(method.getReturnType(), 1000);

        Object result = invoke(method, store, args);

        assertThat(recorder.calls).hasSize(1);
        Call call = recorder.calls.get(0);
        assertThat(call.method()).isEqualTo(method);
        assertThat(call.args()).hasSameSizeAs(args);
        for (int i = 0; i < args.length; i++) {
            if (method.getParameterTypes()[i].isPrimitive()) {
                assertThat(call.args()[i]).as("argument %d", i).isEqualTo(args[i]);
            } else {
                assertThat(call.args()[i]).as("argument %d", i).isSameAs(args[i]);
            }
        }
        if (method.getReturnType().isPrimitive()) {
            assertThat(result).isEqualTo(recorder.answer);
        } else {
            assertThat(result).isSameAs(recorder.answer);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storeMethods")
    @DisplayName("each method lets the delegate's exception through unchanged")
    void exceptionsAreForwarded(Method method) throws Exception {
        Recorder recorder = new Recorder();
        recorder.failure = new ConflictException("from the delegate: " + method.getName());
        MetadataStore store = new Forwarder(recording(recorder));

        Throwable thrown = catchThrowable(() -> invoke(method, store, arguments(method)));

        assertThat(thrown).isSameAs(recorder.failure);
        assertThat(recorder.calls).hasSize(1);
    }

    @Test
    @DisplayName("toString is the delegate's")
    void toStringIsTheDelegates() {
        assertThat(new Forwarder(recording(new Recorder()))).hasToString("recording delegate");
    }

    private static MetadataStore recording(Recorder recorder) {
        return (MetadataStore) Proxy.newProxyInstance(MetadataStore.class.getClassLoader(),
                new Class<?>[] {MetadataStore.class}, recorder);
    }

    private static Object invoke(Method method, MetadataStore store, Object[] args) throws Exception {
        try {
            return method.invoke(store, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** One distinct value per parameter (distinct numbers, strings and instances), so a swap would show. */
    private static Object[] arguments(Method method) throws Exception {
        Class<?>[] types = method.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            args[i] = sample(types[i], i + 1);
        }
        return args;
    }

    /**
     * A fresh, valid value of {@code type}; {@code salt} makes numbers and strings differ between parameters.
     * Containers are new instances (so identity is meaningful); records are built by their canonical constructor,
     * or taken from a public constant of their own type when they have one (such as {@code Approval.PENDING}).
     */
    private static Object sample(Class<?> type, int salt) throws Exception {
        if (type == String.class) {
            return "value-" + salt;
        }
        if (type == int.class || type == Integer.class) {
            return salt;
        }
        if (type == long.class || type == Long.class) {
            return (long) salt;
        }
        if (type == double.class || type == Double.class) {
            return salt + 0.5;
        }
        if (type == boolean.class || type == Boolean.class) {
            return salt % 2 == 0;
        }
        if (type == Instant.class) {
            return Instant.ofEpochMilli(1_700_000_000_000L + salt);
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return constants[salt % constants.length];
        }
        if (type == Optional.class) {
            return Optional.of(new Object());
        }
        if (type == List.class || type == Collection.class) {
            return new ArrayList<>();
        }
        if (type == Map.class) {
            return new HashMap<>();
        }
        if (type == Set.class) {
            return new HashSet<>();
        }
        if (type == Page.class) {
            return new Page<>(List.of(), "token-" + salt);
        }
        if (type == Created.class) {
            return new Created<>(new Object(), salt % 2 == 0);
        }
        if (type == PendingAuditEvent.class) {
            return new PendingAuditEvent(Instant.ofEpochMilli(salt), "actor-" + salt, "test.action", "subject-" + salt,
                    "{\"n\":" + salt + "}");
        }
        if (type.isRecord()) {
            for (var field : type.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == type) {
                    return field.get(null);
                }
            }
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] componentTypes = new Class<?>[components.length];
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                componentTypes[i] = components[i].getType();
                values[i] = componentSample(componentTypes[i], salt + i);
            }
            return type.getDeclaredConstructor(componentTypes).newInstance(values);
        }
        throw new AssertionError("no sample value for " + type.getName() + ": teach this test about it");
    }

    /** Like {@link #sample}, with empty containers (records copy and sort them, so they must hold real elements). */
    private static Object componentSample(Class<?> type, int salt) throws Exception {
        if (type == List.class || type == Collection.class) {
            return List.of();
        }
        if (type == Map.class) {
            return Map.of();
        }
        if (type == Set.class) {
            return Set.of();
        }
        return sample(type, salt);
    }
}
