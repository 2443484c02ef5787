package dev.mlops.registry;

import dev.mlops.data.Column;
import java.util.List;

/**
 * What a model takes and returns: its input and output columns with their types. {@link #EMPTY} when not declared.
 *
 * @param inputs  the input columns, in order
 * @param outputs the output columns, in order
 */
public record ModelSignature(List<Column> inputs, List<Column> outputs) {
    /** No declared inputs or outputs. */
    public static final ModelSignature EMPTY = new ModelSignature(List.of(), List.of());

    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
