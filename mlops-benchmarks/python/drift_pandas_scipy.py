#!/usr/bin/env python3
"""The Python side of the end-to-end drift comparison (docs/benchmarks.md, "End-to-end drift").

Does what `mlops drift --reference REF --current CUR --methods ks,wasserstein_normed,psi,jensen_shannon
--format json` does, with pandas and SciPy, exactly as cli-contract.md defines the four methods: reads both CSV files
with pandas, leaves missing values out of each column, and on every column present in both files runs

- ks: scipy.stats.ks_2samp(ref, cur) (two-sided, method='auto');
- wasserstein_normed: scipy.stats.wasserstein_distance(ref, cur) / numpy.std(ref);
- psi and jensen_shannon on the contract's bins, fitted on the reference: at most 20 distinct reference values give a
  bin each plus one for every other value; otherwise edges = numpy.unique(numpy.quantile(ref, [0.1, ..., 0.9])),
  x < min(ref) in bin 0, x > max(ref) in the last bin, else 1 + searchsorted(edges, x, side='left'); bins empty on
  both sides dropped; psi = sum((c - r) ln(c / r)) with zero proportions replaced by 0.0001;
  jensen_shannon = scipy.spatial.distance.jensenshannon(r, c, base=2).

Prints the wall time of the work (reading and testing, after the imports) and of the whole process, and the peak
resident set (resource.getrusage ru_maxrss). With --out it writes the statistics as JSON, to check them against the
Java report.

Requirements (pinned): pip install pandas==3.1.1 scipy==1.17.1 numpy==2.4.6
Usage: python3 drift_pandas_scipy.py REF.csv CUR.csv [--out stats.json]
"""
import time

START = time.perf_counter()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
from scipy.spatial.distance import jensenshannon  # noqa: E402
from scipy.stats import ks_2samp, wasserstein_distance  # noqa: E402

MISSING = ["", "NA", "NaN", "null", "na", "nan", "NULL", "Null", "NAN", "N/A"]
DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
EPS = 1e-4


def bin_counts(ref, cur):
    distinct = np.unique(ref)
    if len(distinct) <= 20:
        k = len(distinct)
        def counts(x):
            i = np.searchsorted(distinct, x)
            hit = (i < k) & (distinct[np.minimum(i, k - 1)] == x)
            return np.bincount(np.where(hit, i, k), minlength=k + 1)
        return counts(ref), counts(cur)
    lo, hi = ref.min(), ref.max()
    edges = np.unique(np.quantile(ref, DECILES))
    last = len(edges) + 2
    def counts(x):
        b = 1 + np.searchsorted(edges, x, side="left")
        b = np.where(x < lo, 0, np.where(x > hi, last, b))
        return np.bincount(b, minlength=last + 1)
    return counts(ref), counts(cur)


def column(ref, cur):
    ks = ks_2samp(ref, cur)
    sd = np.std(ref)
    wn = wasserstein_distance(ref, cur) / sd if sd > 0 else None
    rc, cc = bin_counts(ref, cur)
    keep = (rc + cc) > 0
    r = rc[keep] / rc.sum()
    c = cc[keep] / cc.sum()
    rr = np.where(r == 0, EPS, r)
    cz = np.where(c == 0, EPS, c)
    psi = float(np.sum((cz - rr) * np.log(cz / rr)))
    js = float(jensenshannon(r, c, base=2))
    return {"ks": [float(ks.statistic), float(ks.pvalue)], "wasserstein_normed": wn, "psi": psi,
            "jensen_shannon": js}


def main(argv):
    ref_path, cur_path = argv[1], argv[2]
    out = argv[argv.index("--out") + 1] if "--out" in argv else None
    t0 = time.perf_counter()
    ref = pd.read_csv(ref_path, na_values=MISSING, keep_default_na=True)
    cur = pd.read_csv(cur_path, na_values=MISSING, keep_default_na=True)
    t1 = time.perf_counter()
    results = {}
    for name in ref.columns:
        if name not in cur.columns:
            continue
        r = ref[name].dropna().to_numpy(dtype=np.float64)
        c = cur[name].dropna().to_numpy(dtype=np.float64)
        results[name] = column(r, c)
    t2 = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"pandas {pd.__version__}, scipy {scipy.__version__}, numpy {np.__version__}: "
          f"read {t1 - t0:.2f} s, tests {t2 - t1:.2f} s, work {t2 - t0:.2f} s, "
          f"process {t2 - START:.2f} s (with imports); peak RSS {peak_kb / 1024:.0f} MB; "
          f"{len(ref)} + {len(cur)} rows, {len(results)} columns")
    if out:
        with open(out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main(sys.argv)
