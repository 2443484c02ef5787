package dev.mlops.internal.drift;

/**
 * The one-sample Kolmogorov distributions SciPy uses for the asymptotic two-sample KS p-value: the two-sided
 * {@code kstwo.sf(x, n)} (Simard and L'Ecuyer's choice of algorithm per region, as {@code scipy.stats._ksstats} makes
 * it) and the one-sided {@code smirnov(n, x)} (Birnbaum and Tingey's sum). Where SciPy picks Pomeranz' exact recursion
 * this class uses the Durbin matrix, which is exact as well. Stateless.
 */
final class Kolmogorov {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);
    private static final double PI2 = Math.PI * Math.PI;
    private static final double PI4 = PI2 * PI2;
    private static final double PI6 = PI4 * PI2;
    private static final double SQRT3 = Math.sqrt(3);
    private static final double MIN_LOG = -708.3964185322641;
    private static final double TWO_128 = Math.scalb(1.0, 128);
    private static final double TWO_M128 = Math.scalb(1.0, -128);
    /** Stirling series coefficients B_2j / (2j (2j - 1)), highest order first. */
    private static final double[] STIRLING = {
        -3617.0 / 122400.0, 1.0 / 156.0, -691.0 / 360360.0, 1.0 / 1188.0,
        -1.0 / 1680.0, 1.0 / 1260.0, -1.0 / 360.0, 1.0 / 12.0};

    private Kolmogorov() {
    }

    /** {@code P(D_n > x)} for the two-sided one-sample statistic; NaN unless n is a whole number >= 1. */
    static double twoSidedSf(double nd, double x) {
        if (!(nd >= 1) || nd != Math.floor(nd) || Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x >= 1.0) {
            return 0.0;
        }
        if (x <= 0.0) {
            return 1.0;
        }
        int n = (int) nd;
        double t = n * x;
        if (t <= 1.0) {
            if (t <= 0.5) {
                return 1.0;
            }
            double cdf;
            if (n <= 140) {
                cdf = 1.0;
                double f = 2 * t - 1;
                for (int i = 1; i <= n; i++) {
                    cdf *= i * (1.0 / n) * f;
                }
            } else {
                cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
            }
            return clip(1.0 - cdf);
        }
        if (t >= n - 1) {
            return clip(2 * Math.pow(1.0 - x, n));
        }
        if (x >= 0.5) {
            return clip(2 * smirnovSf(n, x));
        }
        double nxx = t * x;
        if (n <= 140) {
            if (nxx <= 4) {
                return clip(1.0 - durbinCdf(n, x));
            }
            return clip(2 * smirnovSf(n, x));
        }
        if (nxx >= 370.0) {
            return 0.0;
        }
        if (nxx >= 2.2) {
            return clip(2 * smirnovSf(n, x));
        }
        double cdf;
        if (n <= 100_000 && n * Math.pow(x, 1.5) <= 1.4) {
            cdf = durbinCdf(n, x);
        } else {
            cdf = pelzGoodCdf(n, x);
        }
        return clip(1.0 - cdf);
    }

    private static double clip(double p) {
        return Math.min(1.0, Math.max(0.0, p));
    }

    /** log(n! / n^n) by Stirling's series with n log n taken out first. */
    static double logFactorialOverPower(int n) {
        double rn = 1.0 / n;
        double z = rn / n;
        double poly = 0.0;
        for (double c : STIRLING) {
            poly = poly * z + c;
        }
        return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
    }

    /**
     * {@code P(D_n <= d)} by the Durbin matrix in Marsaglia, Tsang and Wang's form: the k-th diagonal element of
     * {@code H^n} times {@code n!/n^n}, with powers of two taken out as it grows.
     */
    static double durbinCdf(int n, double d) {
        if (d >= 1.0) {
            return 1.0;
        }
        double nd = n * d;
        if (nd <= 0.5) {
            return 0.0;
        }
        int k = (int) Math.ceil(nd);
        double h = k - nd;
        int m = 2 * k - 1;
        double[] v = new double[m];
        double[] w = new double[m];
        double fac = 1.0;
        for (int j = 1; j <= m; j++) {
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] = (1.0 - Math.pow(h, j)) * fac;
        }
        double tt = Math.pow(Math.max(2 * h - 1.0, 0), m) - 2 * Math.pow(h, m);
        v[m - 1] = (1.0 + tt) * fac;
        double[] hm = new double[m * m];
        for (int i = 1; i < m; i++) {
            for (int r = i - 1; r < m; r++) {
                hm[r * m + i] = w[r - i + 1];
            }
        }
        for (int r = 0; r < m; r++) {
            hm[r * m] = v[r];
        }
        for (int c = 0; c < m; c++) {
            hm[(m - 1) * m + c] = v[m - 1 - c];
        }
        double[] pw = new double[m * m];
        for (int i = 0; i < m; i++) {
            pw[i * m + i] = 1.0;
        }
        int nn = n;
        long expnt = 0;
        long hExpnt = 0;
        double[] tmp = new double[m * m];
        while (nn > 0) {
            if ((nn & 1) == 1) {
                multiply(pw, hm, tmp, m);
                System.arraycopy(tmp, 0, pw, 0, tmp.length);
                expnt += hExpnt;
            }
            multiply(hm, hm, tmp, m);
            System.arraycopy(tmp, 0, hm, 0, tmp.length);
            hExpnt *= 2;
            if (Math.abs(hm[(k - 1) * m + (k - 1)]) > TWO_128) {
                for (int i = 0; i < hm.length; i++) {
                    hm[i] /= TWO_128;
                }
                hExpnt += 128;
            }
            nn >>= 1;
        }
        double p = pw[(k - 1) * m + (k - 1)];
        for (int i = 1; i <= n; i++) {
            p = i * p / n;
            if (Math.abs(p) < TWO_M128) {
                p *= TWO_128;
                expnt -= 128;
            }
        }
        if (expnt != 0) {
            p = scalb(p, expnt);
        }
        return clip(p);
    }

    private static double scalb(double p, long e) {
        double r = p;
        long left = e;
        while (left > 1000) {
            r = Math.scalb(r, 1000);
            left -= 1000;
        }
        while (left < -1000) {
            r = Math.scalb(r, -1000);
            left += 1000;
        }
        return Math.scalb(r, (int) left);
    }

    private static void multiply(double[] a, double[] b, double[] out, int m) {
        java.util.Arrays.fill(out, 0.0);
        for (int i = 0; i < m; i++) {
            for (int l = 0; l < m; l++) {
                double ail = a[i * m + l];
                if (ail == 0.0) {
                    continue;
                }
                for (int j = 0; j < m; j++) {
                    out[i * m + j] += ail * b[l * m + j];
                }
            }
        }
    }

    /** Pelz and Good's expansion of {@code P(D_n <= x)} in powers of 1/sqrt(n), in theta-function form. */
    static double pelzGoodCdf(int n, double x) {
        if (x <= 0.0) {
            return 0.0;
        }
        if (x >= 1.0) {
            return 1.0;
        }
        double z = Math.sqrt(n) * x;
        double z2 = z * z;
        double z3 = z2 * z;
        double z4 = z2 * z2;
        double z6 = z4 * z2;
        double qlog = -PI2 / 8 / z2;
        if (qlog < -708) {
            return 0.0;
        }
        double q = Math.exp(qlog);
        double k1a = -z2;
        double k1b = PI2 / 4;
        double k2a = 6 * z6 + 2 * z4;
        double k2b = (2 * z4 - 5 * z2) * PI2 / 4;
        double k2c = PI4 * (1 - 2 * z2) / 16;
        double k3d = PI6 * (5 - 30 * z2) / 64;
        double k3c = PI4 * (-60 * z2 + 212 * z4) / 16;
        double k3b = PI2 * (135 * z4 - 96 * z6) / 4;
        double k3a = -30 * z6 - 90 * z4 * z4;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int maxk = (int) Math.ceil(16 * z / Math.PI);
        for (int k = maxk; k >= 1; k--) {
            double mm = 2.0 * k - 1;
            double m2 = mm * mm;
            double m4 = m2 * m2;
            double m6 = m4 * m2;
            double qp = Math.pow(q, 8.0 * k);
            s0 = s0 * qp + 1.0;
            s1 = s1 * qp + (k1a + k1b * m2);
            s2 = s2 * qp + (k2a + k2b * m2 + k2c * m4);
            s3 = s3 * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
        }
        double scale = q * SQRT_2PI;
        s0 = s0 * scale / z;
        s1 = s1 * scale / (6 * z4);
        s2 = s2 * scale / (72 * Math.pow(z, 7));
        s3 = s3 * scale / (6480 * Math.pow(z, 10));
        double q2 = Math.exp(-PI2 / 2 / z2);
        double k2extra = 0;
        double k3extra = 0;
        double sqrt3z = SQRT3 * z;
        for (int k = maxk; k >= 1; k--) {
            double k2 = (double) k * k;
            double qk = Math.pow(q2, k2);
            double kpi = Math.PI * k;
            k2extra += k2 * qk;
            k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
        }
        s2 += k2extra * PI2 * SQRT_2PI / (-36 * z3);
        s3 += k3extra * PI2 * SQRT_2PI / (216 * z6);
        double sn = Math.sqrt(n);
        return s0 + s1 / sn + s2 / n + s3 / (n * sn);
    }

    /** {@code P(D_n^+ > x)}, the one-sided statistic's survival function ({@code scipy.special.smirnov}). */
    static double smirnovSf(int n, double x) {
        if (!(n > 0 && x >= 0.0 && x <= 1.0)) {
            return Double.NaN;
        }
        if (n == 1) {
            return 1 - x;
        }
        if (x == 0.0) {
            return 1.0;
        }
        if (x == 1.0) {
            return 0.0;
        }
        double nx = n * x;
        double err = Math.fma(n, x, -nx);
        double fl = Math.floor(nx);
        double alpha = (nx - fl) + err;
        if (alpha < 0) {
            fl -= 1;
            alpha += 1;
        } else if (alpha >= 1) {
            fl += 1;
            alpha -= 1;
        }
        long nxfl = (long) fl;
        if (nxfl == 0 || (nxfl == 1 && alpha == 0)) {
            double cdf = x * Math.pow(1 + x, n - 1);
            return 1 - cdf;
        }
        if (-2 * n * x * x < MIN_LOG) {
            return 0.0;
        }
        if (nxfl >= n - 1) {
            return Math.pow(1 - x, n);
        }
        if (n > 1_000_000) {
            double logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
            return logp < -Math.log(2) ? Math.exp(logp) : 1 + Math.expm1(logp);
        }
        long last = n - nxfl - 1;
        double logX = Math.log(x);
        double logC = 0.0;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0.0;
        for (long v = 0; v <= last; v++) {
            if (v > 0) {
                logC += Math.log((double) (n - v + 1) / v);
            }
            double lower = (double) (n - v) - nx;
            double term = logX + logC + (v - 1) * Math.log((nx + v) / n) + (n - v) * Math.log(lower / n);
            if (term > max) {
                sum = sum * Math.exp(max - term) + 1.0;
                max = term;
            } else {
                sum += Math.exp(term - max);
                if (term < max - 45) {
                    break;
                }
            }
        }
        return clip(sum * Math.exp(max));
    }
}
