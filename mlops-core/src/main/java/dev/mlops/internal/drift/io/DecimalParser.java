package dev.mlops.internal.drift.io;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Parses decimal numbers from ASCII bytes without creating a String, giving exactly the double that
 * {@link Double#parseDouble} gives for the same text (correctly rounded, round half to even).
 *
 * <p>The accepted text is the number grammar of {@link dev.mlops.internal.data.ColumnTyper}, without surrounding
 * white space: an optional sign ({@code +} or {@code -}), then digits with an optional fraction ({@code 12},
 * {@code 12.}, {@code 12.5}) or a fraction alone ({@code .5}), then an optional exponent ({@code e} or {@code E},
 * optional sign, at least one digit); or {@code inf} / {@code infinity} in any case, with an optional sign. Anything
 * else, including {@code nan} (which the project treats as a missing value, not a number), hexadecimal and Java's
 * {@code d}/{@code f} suffixes, gives {@link Double#NaN}: a NaN result always means "not a number by this grammar".
 *
 * <p>How: up to 19 significant digits are gathered into an unsigned 64-bit mantissa {@code w} with a decimal
 * exponent {@code q}. Small exact cases ({@code w <= 2^53}, {@code |q| <= 22}) take Clinger's fast path (one
 * correctly rounded multiplication or division of exact doubles). Otherwise the Eisel-Lemire algorithm multiplies
 * the normalised mantissa by a 128-bit truncation of {@code 10^q} and accepts the result only when the truncation
 * error cannot change the rounding; with more than 19 significant digits it runs for the truncated mantissa and its
 * successor and accepts the result only when both agree. The rare cases it refuses (near ties, subnormal results,
 * results near overflow) fall back to {@link Double#parseDouble}. The table of powers is computed exactly with
 * {@link BigInteger} when the class loads.
 *
 * <p>Stateless and thread-safe.
 */
public final class DecimalParser {
    /** The smallest decimal exponent in the table; below it every mantissa of at most 20 digits rounds to zero. */
    static final int MIN_Q = -342;
    /** The largest decimal exponent in the table; above it every non-zero mantissa overflows. */
    static final int MAX_Q = 308;
    /** Significant digits gathered into the 64-bit mantissa (10^19 - 1 < 2^64). */
    private static final int MAX_DIGITS = 19;
    /** Exponent digits beyond this magnitude no longer change the result. */
    private static final long EXPONENT_CAP = 1_000_000_000L;

    /** High and low 64 bits of floor(10^q * 2^(127 - floor(log2(10^q)))), index q - MIN_Q. */
    private static final long[] POW_HI = new long[MAX_Q - MIN_Q + 1];
    private static final long[] POW_LO = new long[MAX_Q - MIN_Q + 1];
    /** 10^0 .. 10^22, each exactly representable. */
    private static final double[] EXACT_POW10 = new double[23];

    static {
        BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        for (int q = MIN_Q; q <= MAX_Q; q++) {
            BigInteger p = BigInteger.TEN.pow(Math.abs(q));
            BigInteger m;
            if (q >= 0) {
                int shift = 128 - p.bitLength();
                m = shift >= 0 ? p.shiftLeft(shift) : p.shiftRight(-shift);
            } else {
                // 2^k / 10^|q| lies in (2^127, 2^128) for k = bitLength + 127; the quotient is floor'd.
                m = BigInteger.ONE.shiftLeft(p.bitLength() + 127).divide(p);
            }
            POW_HI[q - MIN_Q] = m.shiftRight(64).longValue();
            POW_LO[q - MIN_Q] = m.and(mask).longValue();
        }
        double d = 1;
        for (int i = 0; i < EXACT_POW10.length; i++) {
            EXACT_POW10[i] = d;
            d *= 10;
        }
    }

    private DecimalParser() {
    }

    /**
     * Parses {@code b[from, to)} by the grammar in the class comment.
     *
     * @return the correctly rounded double, or {@link Double#NaN} when the bytes are not a number by the grammar
     * @throws IndexOutOfBoundsException when the range is not inside {@code b}
     */
    public static double parse(byte[] b, int from, int to) {
        if (from < 0 || to > b.length || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + b.length + " bytes");
        }
        // The common case, with few branches per digit: at most 19 significant digits, optional fraction and
        // exponent. Anything else (more digits, no digit, inf, malformed text) goes to the general path.
        int i = from;
        if (i == to) {
            return Double.NaN;
        }
        boolean negative = false;
        byte c = b[i];
        if (c == '-' || c == '+') {
            negative = c == '-';
            i++;
        }
        int start = i;
        while (i < to && b[i] == '0') {
            i++;
        }
        int significantStart = i;
        long w = 0;
        int d;
        while (i < to && (d = b[i] - '0') >= 0 && d <= 9) {
            w = w * 10 + d;
            i++;
        }
        int significant = i - significantStart;
        boolean anyDigit = i > start;
        long q = 0;
        if (i < to && b[i] == '.') {
            i++;
            int fractionStart = i;
            if (significant == 0) {
                while (i < to && b[i] == '0') {
                    i++;
                }
            }
            int fractionSignificant = i;
            while (i < to && (d = b[i] - '0') >= 0 && d <= 9) {
                w = w * 10 + d;
                i++;
            }
            significant += i - fractionSignificant;
            q = fractionStart - i;
            anyDigit |= i > fractionStart;
        }
        if (!anyDigit || significant > MAX_DIGITS) {
            return parseGeneral(b, from, to);
        }
        if (i < to) {
            if ((b[i] | 0x20) != 'e') {
                return Double.NaN;
            }
            i++;
            boolean negativeExponent = false;
            if (i < to && (b[i] == '-' || b[i] == '+')) {
                negativeExponent = b[i] == '-';
                i++;
            }
            int expStart = i;
            long e = 0;
            while (i < to && (d = b[i] - '0') >= 0 && d <= 9) {
                if (e < EXPONENT_CAP) {
                    e = e * 10 + d;
                }
                i++;
            }
            if (i == expStart || i != to) {
                return Double.NaN;
            }
            q += negativeExponent ? -e : e;
        }
        return toDouble(w, q, false, negative, b, from, to);
    }

    /** Parses {@code b[from, to)} digit by digit, keeping 19 significant digits and noting whether any were dropped. */
    private static double parseGeneral(byte[] b, int from, int to) {
        int i = from;
        if (i == to) {
            return Double.NaN;
        }
        boolean negative = false;
        byte c = b[i];
        if (c == '-' || c == '+') {
            negative = c == '-';
            i++;
        }
        long w = 0;
        int digits = 0;
        long q = 0;
        boolean truncated = false;
        int intStart = i;
        while (i < to) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (digits < MAX_DIGITS) {
                if (d != 0 || digits != 0) {
                    w = w * 10 + d;
                    digits++;
                }
            } else {
                q++;
                truncated |= d != 0;
            }
            i++;
        }
        boolean anyDigit = i > intStart;
        if (i < to && b[i] == '.') {
            i++;
            int fracStart = i;
            while (i < to) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                if (digits < MAX_DIGITS) {
                    if (d != 0 || digits != 0) {
                        w = w * 10 + d;
                        digits++;
                    }
                    q--;
                } else {
                    truncated |= d != 0;
                }
                i++;
            }
            anyDigit |= i > fracStart;
        }
        if (!anyDigit) {
            return infinity(b, i, to, negative, intStart);
        }
        if (i < to && (b[i] | 0x20) == 'e') {
            i++;
            boolean negativeExponent = false;
            if (i < to && (b[i] == '-' || b[i] == '+')) {
                negativeExponent = b[i] == '-';
                i++;
            }
            int expStart = i;
            long e = 0;
            while (i < to) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                if (e < EXPONENT_CAP) {
                    e = e * 10 + d;
                }
                i++;
            }
            if (i == expStart) {
                return Double.NaN;
            }
            q += negativeExponent ? -e : e;
        }
        if (i != to) {
            return Double.NaN;
        }
        return toDouble(w, q, truncated, negative, b, from, to);
    }

    /**
     * The double nearest to {@code ±w * 10^q} (w unsigned), or, when {@code truncated}, to the text's value, which
     * lies strictly between {@code w * 10^q} and {@code (w + 1) * 10^q}; {@code b[from, to)} is the text, for the
     * fallback.
     */
    private static double toDouble(long w, long q, boolean truncated, boolean negative, byte[] b, int from, int to) {
        if (w == 0) {
            return negative ? -0.0 : 0.0;
        }
        if (!truncated && q >= -22 && q <= 22 && w >= 0 && w <= (1L << 53)) {
            // w is unsigned: a 19-digit mantissa can exceed 2^63 and look negative.
            double v = q < 0 ? (double) w / EXACT_POW10[(int) -q] : (double) w * EXACT_POW10[(int) q];
            return negative ? -v : v;
        }
        if (q < MIN_Q) {
            return negative ? -0.0 : 0.0;
        }
        if (q > MAX_Q) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        long bits = eiselLemire(w, (int) q);
        if (truncated && bits >= 0 && eiselLemire(w + 1, (int) q) != bits) {
            bits = -1;
        }
        if (bits < 0) {
            return Double.parseDouble(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
        }
        double v = Double.longBitsToDouble(bits);
        return negative ? -v : v;
    }

    /** {@code inf} or {@code infinity} in any case at {@code b[i, to)}, right after the optional sign. */
    private static double infinity(byte[] b, int i, int to, boolean negative, int afterSign) {
        if (i != afterSign) {
            return Double.NaN; // a lone '.'
        }
        int n = to - i;
        if ((n == 3 || n == 8) && equalsIgnoreCase(b, i, "infinity", n)) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return Double.NaN;
    }

    private static boolean equalsIgnoreCase(byte[] b, int i, String lower, int n) {
        for (int k = 0; k < n; k++) {
            if ((b[i + k] | 0x20) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The bits of the positive double nearest to {@code w * 10^q} (w unsigned, non-zero; q in the table's range), or
     * -1 when the 128-bit approximation cannot decide the rounding or the result is subnormal or out of range.
     */
    static long eiselLemire(long w, int q) {
        int lz = Long.numberOfLeadingZeros(w);
        long man = w << lz;
        // floor(q * log2(10)) + 64 + bias - lz: the exponent if the product's top bit lands in bit 127.
        long exp2 = ((217_706L * q) >> 16) + 64 + 1023 - lz;
        int idx = q - MIN_Q;
        long hi = unsignedMultiplyHigh(man, POW_HI[idx]);
        long lo = man * POW_HI[idx];
        if ((hi & 0x1FF) == 0x1FF && Long.compareUnsigned(lo + man, man) < 0) {
            // The truncated table entry can be short by almost one unit of its low word times man, which could carry
            // into the bits that decide the rounding: use the low word of the entry as well.
            long hi2 = unsignedMultiplyHigh(man, POW_LO[idx]);
            long lo2 = man * POW_LO[idx];
            long mergedHi = hi;
            long mergedLo = lo + hi2;
            if (Long.compareUnsigned(mergedLo, lo) < 0) {
                mergedHi++;
            }
            if ((mergedHi & 0x1FF) == 0x1FF && mergedLo == -1L && Long.compareUnsigned(lo2 + man, man) < 0) {
                return -1;
            }
            hi = mergedHi;
            lo = mergedLo;
        }
        long top = hi >>> 63;
        long mantissa = hi >>> (top + 9);
        exp2 -= 1 ^ top;
        if (lo == 0 && (hi & 0x1FF) == 0 && (mantissa & 3) == 1) {
            return -1; // possibly exactly half-way between two doubles
        }
        mantissa += mantissa & 1;
        mantissa >>>= 1;
        if ((mantissa >>> 53) != 0) {
            mantissa >>>= 1;
            exp2++;
        }
        if (exp2 <= 0 || exp2 >= 0x7FF) {
            return -1;
        }
        return (exp2 << 52) | (mantissa & 0x000F_FFFF_FFFF_FFFFL);
    }

    /** The high 64 bits of the unsigned 128-bit product (Math.unsignedMultiplyHigh is Java 18). */
    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }
}
