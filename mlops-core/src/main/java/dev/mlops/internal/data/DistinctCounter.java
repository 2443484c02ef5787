package dev.mlops.internal.data;

/**
 * Counts distinct strings in bounded memory: exactly up to {@link #CAPACITY} distinct values, then as an estimate
 * by adaptive hash sampling (only values whose 64-bit hash has its top {@code k} bits zero are kept, {@code k} growing
 * by one whenever more than {@link #CAPACITY} are kept; the count is the number kept times {@code 2^k}). The relative
 * standard error of the estimate is about {@code 1/sqrt(CAPACITY/2)}, under 2.5%. Deterministic: the same values
 * give the same count. Not thread-safe.
 */
public final class DistinctCounter {
    /** The most hashes kept. */
    public static final int CAPACITY = 4096;

    private static final long EMPTY = 0L;
    private static final long ZERO_SUBSTITUTE = 0x9E3779B97F4A7C15L;

    private long[] table = new long[16];
    private int size;
    private int level;

    /** Counts {@code value}. */
    public void add(String value) {
        long h = hash(value);
        if (h == EMPTY) {
            h = ZERO_SUBSTITUTE;
        }
        if (level > 0 && (h >>> (64 - level)) != 0) {
            return;
        }
        if (insert(h)) {
            size++;
            if (size > CAPACITY) {
                raiseLevel();
            } else if (size * 2 > table.length) {
                rehash(table.length * 2);
            }
        }
    }

    /** The number of distinct values seen: exact while at most {@link #CAPACITY}, an estimate beyond. */
    public long estimate() {
        return (long) size << level;
    }

    /** Whether {@link #estimate()} is exact. */
    public boolean exact() {
        return level == 0;
    }

    private boolean insert(long h) {
        int mask = table.length - 1;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (table[i] != EMPTY) {
            if (table[i] == h) {
                return false;
            }
            i = (i + 1) & mask;
        }
        table[i] = h;
        return true;
    }

    private void raiseLevel() {
        while (size > CAPACITY) {
            level++;
            long[] old = table;
            table = new long[old.length];
            size = 0;
            for (long h : old) {
                if (h != EMPTY && (h >>> (64 - level)) == 0) {
                    insert(h);
                    size++;
                }
            }
        }
    }

    private void rehash(int capacity) {
        long[] old = table;
        table = new long[capacity];
        for (long h : old) {
            if (h != EMPTY) {
                insert(h);
            }
        }
    }

    /** FNV-1a over the UTF-16 code units, then the MurmurHash3 finaliser to spread the bits. */
    static long hash(String value) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < value.length(); i++) {
            h ^= value.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= value.length();
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
