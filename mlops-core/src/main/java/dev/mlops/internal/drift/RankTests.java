package dev.mlops.internal.drift;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * The rank-based two-sample tests as SciPy computes them: Cramér-von Mises ({@code cramervonmises_2samp}),
 * Anderson-Darling k-sample with midranks ({@code anderson_ksamp}) and Mann-Whitney U ({@code mannwhitneyu},
 * two-sided). Every method takes both samples sorted ascending (finite, -0.0 normalised to 0.0). Stateless.
 */
public final class RankTests {
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    private RankTests() {
    }

    /** Midranks of the pooled sample (x first, then y), 1-based, and the sizes of its tie groups. */
    private record Ranked(double[] rx, double[] ry, long tieTerm, boolean ties) {
    }

    private static Ranked midranks(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        double[] rx = new double[n1];
        double[] ry = new double[n2];
        int i = 0;
        int j = 0;
        long tieTerm = 0;
        boolean ties = false;
        while (i < n1 || j < n2) {
            double v = (j >= n2 || (i < n1 && x[i] <= y[j])) ? x[i] : y[j];
            int i0 = i;
            int j0 = j;
            while (i < n1 && x[i] == v) {
                i++;
            }
            while (j < n2 && y[j] == v) {
                j++;
            }
            long t = (i - i0) + (j - j0);
            long before = i0 + (long) j0;
            double rank = before + (t + 1) / 2.0;
            for (int a = i0; a < i; a++) {
                rx[a] = rank;
            }
            for (int b = j0; b < j; b++) {
                ry[b] = rank;
            }
            if (t > 1) {
                ties = true;
                tieTerm += t * t * t - t;
            }
        }
        return new Ranked(rx, ry, tieTerm, ties);
    }

    // ------------------------------------------------------------------ Cramér-von Mises

    /** {@code cramervonmises_2samp(x, y)}: exact p-value when both sizes are at most 20, else the asymptotic one. */
    public static Outcome cramerVonMises(double[] x, double[] y) {
        int nx = x.length;
        int ny = y.length;
        if (nx <= 1 || ny <= 1) {
            return Outcome.ofUndefined("cramer_von_mises needs at least two values on each side");
        }
        Ranked r = midranks(x, y);
        double sx = 0;
        for (int i = 0; i < nx; i++) {
            double d = r.rx[i] - (i + 1);
            sx += d * d;
        }
        double sy = 0;
        for (int j = 0; j < ny; j++) {
            double d = r.ry[j] - (j + 1);
            sy += d * d;
        }
        double u = nx * sx + ny * sy;
        double k = (double) nx * ny;
        double bigN = nx + ny;
        double t = u / (k * bigN) - (4 * k - 1) / (6 * bigN);
        double p;
        if (Math.max(nx, ny) > 20) {
            p = cvmAsymptotic(t, bigN, nx, ny, k);
        } else {
            p = cvmExact(u, nx, ny);
        }
        return Outcome.of(t, p);
    }

    private static double cvmAsymptotic(double t, double bigN, double nx, double ny, double k) {
        double et = (1 + 1 / bigN) / 6;
        double vt = (bigN + 1) * (4 * k * bigN - 3 * (nx * nx + ny * ny) - 2 * k);
        vt = vt / (45 * bigN * bigN * 4 * k);
        double tn = 1.0 / 6 + (t - et) / Math.sqrt(45 * vt);
        if (!(tn >= 0.003)) {
            return Double.isNaN(tn) ? Double.NaN : 1.0;
        }
        return Math.max(1.0 - cvmLimitCdf(tn), 0.0);
    }

    /** CDF of the limiting one-sample Cramér-von Mises statistic (Csörgő and Faraway, eq. 1.2), to terms below 1e-7. */
    static double cvmLimitCdf(double x) {
        double total = 0;
        double gammaRatio = Math.sqrt(Math.PI); // Gamma(k + 1/2) / Gamma(k + 1) at k = 0
        for (int kk = 0; ; kk++) {
            double u = gammaRatio / (Math.pow(Math.PI, 1.5) * Math.sqrt(x));
            double y = 4.0 * kk + 1;
            double q = y * y / (16 * x);
            double term = u * Math.sqrt(y) * Math.exp(-q) * besselKQuarter(q);
            total += term;
            if (!(Math.abs(term) >= 1e-7)) {
                return total;
            }
            gammaRatio *= (kk + 0.5) / (kk + 1);
        }
    }

    /**
     * The modified Bessel function K_{1/4}(z) for z > 0, from {@code integral over t of exp(-z cosh t) cosh(t/4)} by
     * the trapezoidal rule, which converges geometrically for this analytic, doubly exponentially decaying integrand.
     */
    static double besselKQuarter(double z) {
        if (z > 700) {
            return 0.0;
        }
        double step = 1.0 / 128;
        double sum = 0.5 * Math.exp(-z);
        for (int i = 1; ; i++) {
            double t = i * step;
            double e = -z * Math.cosh(t) + t / 4;
            double f = Math.exp(-z * Math.cosh(t)) * Math.cosh(t / 4);
            sum += f;
            if (e < -745) {
                break;
            }
        }
        return sum * step;
    }

    /**
     * The exact p-value of the two-sample statistic U (Xiao, Gordon and Yakovlev's frequency tables): the share of
     * the orderings of the pooled sample whose lattice path has {@code sum (a v - b u)^2 >= zeta}.
     */
    private static double cvmExact(double s, int m, int n) {
        long lcm = (long) m / KolmogorovSmirnov.gcd(m, n) * n;
        long a = lcm / m;
        long b = lcm / n;
        double mn = (double) m * n;
        double zeta = Math.floor((double) lcm * lcm * (m + n) * (6 * s - mn * (4 * mn - 1)) / (6 * mn * mn));
        // gs.get(v) holds the table of cell (u, v): path value -> number of paths
        List<Map<Long, Long>> gs = new ArrayList<>(m + 1);
        gs.add(Map.of(0L, 1L));
        for (int v = 1; v <= m; v++) {
            gs.add(Map.of());
        }
        for (int u = 0; u <= n; u++) {
            Map<Long, Long> tmp = Map.of();
            List<Map<Long, Long>> next = new ArrayList<>(m + 1);
            for (int v = 0; v <= m; v++) {
                long res = (a * v - b * u) * (a * v - b * u);
                Map<Long, Long> shifted = new HashMap<>((tmp.size() + gs.get(v).size()) * 2);
                tmp.forEach((key, c) -> shifted.merge(key + res, c, Long::sum));
                gs.get(v).forEach((key, c) -> shifted.merge(key + res, c, Long::sum));
                next.add(shifted);
                tmp = shifted;
            }
            gs = next;
        }
        long count = 0;
        for (Map.Entry<Long, Long> e : gs.get(m).entrySet()) {
            if (e.getKey() >= zeta) {
                count += e.getValue();
            }
        }
        return count / binomial(m + n, m);
    }

    private static double binomial(int n, int k) {
        double r = 1;
        for (int i = 1; i <= k; i++) {
            r = r * (n - k + i) / i;
        }
        return Math.rint(r);
    }

    // ------------------------------------------------------------------ Anderson-Darling

    private static final double[] AD_SIG = {0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001};
    private static final double[] AD_B0 = {0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085};
    private static final double[] AD_B1 = {-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615};
    private static final double[] AD_B2 = {-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154};

    /**
     * {@code anderson_ksamp([x, y])} with midranks: the standardised statistic and the p-value interpolated from
     * Scholz and Stephens' table (a quadratic in log significance), capped to [0.001, 0.25].
     */
    public static Outcome andersonDarling(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        int bigN = n1 + n2;
        if (bigN < 4) { // SciPy: an error below three, NaN at three (its variance divides by N - 3)
            return Outcome.ofUndefined("anderson_darling needs at least four values in all");
        }
        if (x[0] == x[n1 - 1] && y[0] == y[n2 - 1] && x[0] == y[0]) {
            return Outcome.ofUndefined("anderson_darling needs two distinct values (both samples hold one constant)");
        }
        double sum = 0;
        double s1 = 0;
        double s2 = 0;
        int i = 0;
        int j = 0;
        while (i < n1 || j < n2) {
            double v = (j >= n2 || (i < n1 && x[i] <= y[j])) ? x[i] : y[j];
            int i0 = i;
            int j0 = j;
            while (i < n1 && x[i] == v) {
                i++;
            }
            while (j < n2 && y[j] == v) {
                j++;
            }
            double lj = (i - i0) + (j - j0);
            double bj = (i0 + j0) + lj / 2.0;
            double denom = bj * (bigN - bj) - bigN * lj / 4.0;
            double m1 = i - (i - i0) / 2.0;
            double m2 = j - (j - j0) / 2.0;
            double d1 = bigN * m1 - bj * n1;
            double d2 = bigN * m2 - bj * n2;
            s1 += lj / bigN * d1 * d1 / denom;
            s2 += lj / bigN * d2 * d2 / denom;
        }
        sum = s1 / n1 + s2 / n2;
        double a2kn = sum * (bigN - 1.0) / bigN;
        int k = 2;
        double hSum = 1.0 / n1 + 1.0 / n2;
        // h = sum_{i=1}^{N-1} 1/i; g = sum_{i=1}^{N-2} sum_{j=i+1}^{N-1} 1/((N-i) j)
        double cs = 0;
        double g = 0;
        for (int idx = 0; idx < bigN - 2; idx++) {
            cs += 1.0 / (bigN - 1 - idx);
            g += cs / (idx + 2);
        }
        double h = cs + 1;
        double ca = (4 * g - 6) * (k - 1) + (10 - 6 * g) * hSum;
        double cb = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * hSum - 8 * h + 4 * g - 6;
        double cc = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * hSum + 4 * h;
        double cd = (2 * h + 6) * k * k - 4 * h * k;
        double dn = bigN;
        double sigmasq = (ca * dn * dn * dn + cb * dn * dn + cc * dn + cd) / ((dn - 1.) * (dn - 2.) * (dn - 3.));
        double m = k - 1;
        double a2 = (a2kn - m) / Math.sqrt(sigmasq);
        if (!Double.isFinite(a2)) {
            return Outcome.ofUndefined("anderson_darling statistic is not finite for these sizes");
        }
        double[] critical = new double[AD_SIG.length];
        double cmin = Double.POSITIVE_INFINITY;
        double cmax = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < critical.length; c++) {
            critical[c] = AD_B0[c] + AD_B1[c] / Math.sqrt(m) + AD_B2[c] / m;
            cmin = Math.min(cmin, critical[c]);
            cmax = Math.max(cmax, critical[c]);
        }
        double p;
        if (a2 < cmin) {
            p = 0.25;
        } else if (a2 > cmax) {
            p = 0.001;
        } else {
            double[] logSig = new double[AD_SIG.length];
            for (int c = 0; c < logSig.length; c++) {
                logSig[c] = Math.log(AD_SIG[c]);
            }
            double[] coef = quadraticFit(critical, logSig);
            p = Math.exp((coef[0] * a2 + coef[1]) * a2 + coef[2]);
        }
        return Outcome.of(a2, Math.min(0.25, Math.max(0.001, p)));
    }

    /** Least-squares {@code y ~ c0 x^2 + c1 x + c2} by Householder QR of the Vandermonde matrix. */
    static double[] quadraticFit(double[] x, double[] y) {
        int rows = x.length;
        double[][] a = new double[rows][3];
        double[] b = y.clone();
        for (int r = 0; r < rows; r++) {
            a[r][0] = x[r] * x[r];
            a[r][1] = x[r];
            a[r][2] = 1.0;
        }
        for (int c = 0; c < 3; c++) {
            double norm = 0;
            for (int r = c; r < rows; r++) {
                norm = Math.hypot(norm, a[r][c]);
            }
            double alpha = a[c][c] > 0 ? -norm : norm;
            double[] v = new double[rows];
            for (int r = c; r < rows; r++) {
                v[r] = a[r][c];
            }
            v[c] -= alpha;
            double vv = 0;
            for (int r = c; r < rows; r++) {
                vv += v[r] * v[r];
            }
            if (vv == 0) {
                continue;
            }
            for (int cc = c; cc < 3; cc++) {
                double dot = 0;
                for (int r = c; r < rows; r++) {
                    dot += v[r] * a[r][cc];
                }
                double f = 2 * dot / vv;
                for (int r = c; r < rows; r++) {
                    a[r][cc] -= f * v[r];
                }
            }
            double dot = 0;
            for (int r = c; r < rows; r++) {
                dot += v[r] * b[r];
            }
            double f = 2 * dot / vv;
            for (int r = c; r < rows; r++) {
                b[r] -= f * v[r];
            }
        }
        double[] coef = new double[3];
        for (int c = 2; c >= 0; c--) {
            double s = b[c];
            for (int cc = c + 1; cc < 3; cc++) {
                s -= a[c][cc] * coef[cc];
            }
            coef[c] = s / a[c][c];
        }
        return coef;
    }

    // ------------------------------------------------------------------ Mann-Whitney

    /** Largest U up to which the exact distribution is tabulated (80 MB); SciPy has no limit. */
    static final long MAX_EXACT_U = 10_000_000;

    /**
     * {@code mannwhitneyu(x, y, alternative='two-sided')}: the statistic U of x; the exact p-value when one sample
     * has at most 8 values and there are no ties (and {@code n m / 2 <= 10^7}), otherwise the normal approximation
     * with tie correction and continuity correction.
     */
    public static Outcome mannWhitney(double[] x, double[] y) {
        return mannWhitney(x, y, MAX_EXACT_U);
    }

    static Outcome mannWhitney(double[] x, double[] y, long maxExactU) {
        int n1 = x.length;
        int n2 = y.length;
        Ranked r = midranks(x, y);
        double r1 = 0;
        for (double v : r.rx) {
            r1 += v;
        }
        double u1 = r1 - n1 * (n1 + 1.0) / 2;
        double nn = (double) n1 * n2;
        double u2 = nn - u1;
        double u = Math.max(u1, u2);
        double p;
        boolean exact = !(n1 > 8 && n2 > 8) && !r.ties;
        String note = null;
        if (exact && nn / 2 > maxExactU) {
            exact = false;
            note = "normal approximation: the exact distribution of U is too large to tabulate";
        }
        if (!exact) {
            double mu = nn / 2;
            double n = (double) n1 + n2;
            double s = Math.sqrt(nn / 12 * ((n + 1) - r.tieTerm / (n * (n - 1))));
            double z = (u - mu - 0.5) / s;
            p = 2 * STANDARD_NORMAL.survivalProbability(z);
        } else {
            p = 2 * mannWhitneyCdf(Math.min(n1, n2), Math.max(n1, n2), (long) (nn - u));
        }
        return new Outcome(u1, Math.min(1.0, Math.max(0.0, p)), note, null);
    }

    /**
     * {@code P(U <= k)} under the null hypothesis without ties, from the generating function of U, the Gaussian
     * binomial {@code prod_{i=1..a} (1 - q^(b+i)) / (1 - q^i)} expanded up to degree k.
     */
    static double mannWhitneyCdf(int a, int b, long k) {
        int deg = (int) k;
        double[] c = new double[deg + 1];
        c[0] = 1.0;
        for (int i = 1; i <= a; i++) {
            for (int d = i; d <= deg; d++) {
                c[d] += c[d - i];
            }
        }
        for (int i = 1; i <= a; i++) {
            int shift = b + i;
            for (int d = deg; d >= shift; d--) {
                c[d] -= c[d - shift];
            }
        }
        double total = 1;
        for (int i = 1; i <= a; i++) {
            total = total * (b + i) / i;
        }
        double sum = 0;
        for (double v : c) {
            sum += v;
        }
        return sum / total;
    }
}
