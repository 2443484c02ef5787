package dev.mlops.internal.drift.io;

import dev.mlops.internal.data.ColumnTyper;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Classifies cells as {@link ColumnBatch#NUMBER}, {@link ColumnBatch#MISSING} or {@link ColumnBatch#TEXT} and stores
 * them in a batch, by the project's rules ({@link ColumnTyper}): a value is stripped of white space; it is missing
 * when then empty or {@code NA}, {@code NaN} or {@code null} in any case; it is a number by {@link DecimalParser}'s
 * grammar; otherwise it is text. ASCII cells never become Strings unless their text is wanted; cells with other bytes
 * are decoded as strict UTF-8 and handled as {@link ColumnTyper} handles Strings. Not thread-safe.
 */
final class Cells {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] scratch = new byte[64];

    /** Thrown (without a stack trace) for bytes that are not UTF-8; the caller names the place. */
    static final class NotUtf8 extends Exception {
        NotUtf8() {
            super("not valid UTF-8", null, false, false);
        }
    }

    /** Whether {@code b} is white space as {@link Character#isWhitespace} says, for ASCII bytes. */
    static boolean isAsciiSpace(byte b) {
        return b == ' ' || (b >= 9 && b <= 13) || (b >= 28 && b <= 31);
    }

    /** Whether the ASCII bytes {@code b[s, e)} (already stripped) are a missing-value word or empty. */
    static boolean isMissing(byte[] b, int s, int e) {
        int n = e - s;
        if (n == 0) {
            return true;
        }
        if (n == 2) {
            return (b[s] | 0x20) == 'n' && (b[s + 1] | 0x20) == 'a';
        }
        if (n == 3) {
            return (b[s] | 0x20) == 'n' && (b[s + 1] | 0x20) == 'a' && (b[s + 2] | 0x20) == 'n';
        }
        if (n == 4) {
            return (b[s] | 0x20) == 'n' && (b[s + 1] | 0x20) == 'u' && (b[s + 2] | 0x20) == 'l'
                    && (b[s + 3] | 0x20) == 'l';
        }
        return false;
    }

    /**
     * Classifies the cell {@code b[s, e)} and stores it at {@code (column, row)} of {@code batch}.
     *
     * @param keepText whether to keep the text of number cells too ({@link ColumnMode#TEXT})
     * @return the state stored
     * @throws NotUtf8 when the cell has bytes that are not UTF-8
     */
    byte store(byte[] b, int s, int e, ColumnBatch batch, int column, int row, boolean keepText) throws NotUtf8 {
        while (s < e && isAsciiSpace(b[s])) {
            s++;
        }
        while (e > s && isAsciiSpace(b[e - 1])) {
            e--;
        }
        // Numbers first (the common case): the parser rejects any byte outside its ASCII grammar, so a non-ASCII
        // cell is never a number here; it is then decoded and handled as a String.
        double v = DecimalParser.parse(b, s, e);
        if (v == v) {
            batch.set(column, row, ColumnBatch.NUMBER, v,
                    keepText ? new String(b, s, e - s, StandardCharsets.ISO_8859_1) : null);
            return ColumnBatch.NUMBER;
        }
        for (int i = s; i < e; i++) {
            if (b[i] < 0) {
                return storeString(decode(b, s, e), batch, column, row, keepText);
            }
        }
        if (isMissing(b, s, e)) {
            batch.set(column, row, ColumnBatch.MISSING, Double.NaN, null);
            return ColumnBatch.MISSING;
        }
        batch.set(column, row, ColumnBatch.TEXT, Double.NaN, new String(b, s, e - s, StandardCharsets.ISO_8859_1));
        return ColumnBatch.TEXT;
    }

    /** As {@link #store(byte[], int, int, ColumnBatch, int, int, boolean)} for a cell that is already text. */
    byte storeString(String text, ColumnBatch batch, int column, int row, boolean keepText) {
        String t = text.strip();
        if (ColumnTyper.isMissing(t)) {
            batch.set(column, row, ColumnBatch.MISSING, Double.NaN, null);
            return ColumnBatch.MISSING;
        }
        int n = t.length();
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            if (t.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            if (scratch.length < n) {
                scratch = new byte[Math.max(n, 2 * scratch.length)];
            }
            for (int i = 0; i < n; i++) {
                scratch[i] = (byte) t.charAt(i);
            }
            double v = DecimalParser.parse(scratch, 0, n);
            if (v == v) {
                batch.set(column, row, ColumnBatch.NUMBER, v, keepText ? t : null);
                return ColumnBatch.NUMBER;
            }
        }
        batch.set(column, row, ColumnBatch.TEXT, Double.NaN, t);
        return ColumnBatch.TEXT;
    }

    /** Decodes {@code b[s, e)} as strict UTF-8. */
    String decode(byte[] b, int s, int e) throws NotUtf8 {
        try {
            CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(b, s, e - s));
            return chars.toString();
        } catch (CharacterCodingException ex) {
            throw new NotUtf8();
        }
    }
}
