#!/usr/bin/env python3
"""Writes two-sample-golden.json: inputs and SciPy's answers for every drift method of cli-contract.md.

Run from this directory:  pip install scipy==1.17.1 numpy==2.4.6 && python3 make_golden.py
The Java test (dev.mlops.drift.TwoSampleGoldenTest) reads the fixture; it never runs Python.

Real data: seattle-weather.csv and flights-4k.csv (every fifth record of flights-20k.json), see SOURCES.md.
Synthetic cases use numpy's PCG64 with fixed seeds and are rounded so that the JSON holds them exactly.
A method where SciPy returns NaN/inf or raises is written with statistic and/or p_value null and an "error" text.
"""
import csv
import json
import math
import warnings

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

SCIPY_VERSION = "1.17.1"
NUMPY_VERSION = "2.4.6"
assert scipy.__version__ == SCIPY_VERSION, scipy.__version__
assert np.__version__ == NUMPY_VERSION, np.__version__

warnings.simplefilter("ignore")
EPS = 1e-4


def num(x):
    x = float(x)
    return x if math.isfinite(x) else None


def guarded(fn):
    try:
        stat, p = fn()
        out = {"statistic": num(stat) if stat is not None else None,
               "p_value": num(p) if p is not None else None}
    except Exception as e:  # SciPy raised: the Java side reports nulls with a note
        out = {"statistic": None, "p_value": None, "error": type(e).__name__ + ": " + str(e)}
    return out


# ---------- binning exactly as cli-contract.md says ----------
def numeric_bins(ref, cur):
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    distinct = np.unique(ref)
    if distinct.size <= 20:
        idx = {v: i for i, v in enumerate(distinct.tolist())}
        nb = distinct.size + 1
        rc = np.zeros(nb)
        cc = np.zeros(nb)
        for v in ref.tolist():
            rc[idx[v]] += 1
        for v in cur.tolist():
            cc[idx.get(v, nb - 1)] += 1
        return rc, cc
    lo, hi = ref.min(), ref.max()
    q = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    edges = np.unique(np.quantile(ref, q))
    nb = len(edges) + 3

    def counts(x):
        b = np.where(x < lo, 0, np.where(x > hi, nb - 1, 1 + np.searchsorted(edges, x, side="left")))
        return np.bincount(b, minlength=nb).astype(float)
    return counts(ref), counts(cur)


def proportions(rc, cc):
    keep = (rc + cc) > 0
    rc, cc = rc[keep], cc[keep]
    return rc / rc.sum(), cc / cc.sum()


def binned(rc, cc, labels=None):
    rc = np.asarray(rc, dtype=float)
    cc = np.asarray(cc, dtype=float)
    keep = (rc + cc) > 0
    if labels is not None:
        labels = [l for l, k in zip(labels, keep) if k]
    r, c = proportions(rc, cc)
    rs = np.where(r == 0, EPS, r)
    cs = np.where(c == 0, EPS, c)
    out = {
        "psi": {"statistic": num(np.sum((cs - rs) * np.log(cs / rs))), "p_value": None},
        "kl": {"statistic": num(np.sum(rs * np.log(rs / cs))), "p_value": None},
        "jensen_shannon": {"statistic": num(distance.jensenshannon(r, c, base=2)), "p_value": None},
        "hellinger": {"statistic": num(math.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(r * c))))), "p_value": None},
        "tvd": {"statistic": num(0.5 * np.sum(np.abs(r - c))), "p_value": None},
    }
    if labels is not None:
        d = np.abs(r - c)
        i = int(np.argmax(d))
        out["l_infinity"] = {"statistic": num(d[i]), "p_value": None, "category": labels[i]}
    return out


# ---------- numeric methods ----------
def numeric_expected(ref, cur):
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    e = {}
    e["ks"] = guarded(lambda: tuple(stats.ks_2samp(ref, cur))[:2])
    e["cramer_von_mises"] = guarded(lambda: (lambda r: (r.statistic, r.pvalue))(stats.cramervonmises_2samp(ref, cur)))

    def ad():
        r = stats.anderson_ksamp([ref, cur], variant="midrank")
        return r.statistic, min(max(r.pvalue, 0.001), 0.25)
    e["anderson_darling"] = guarded(ad)
    e["mann_whitney"] = guarded(lambda: (lambda r: (r.statistic, r.pvalue))(
        stats.mannwhitneyu(ref, cur, alternative="two-sided")))
    e["t_test"] = guarded(lambda: (lambda r: (r.statistic, r.pvalue))(stats.ttest_ind(ref, cur, equal_var=False)))
    e["wasserstein"] = guarded(lambda: (stats.wasserstein_distance(ref, cur), None))

    def normed():
        sd = np.std(ref)
        if sd == 0:
            raise ZeroDivisionError("reference is constant")
        return stats.wasserstein_distance(ref, cur) / sd, None
    e["wasserstein_normed"] = guarded(normed)
    e["energy"] = guarded(lambda: (stats.energy_distance(ref, cur), None))
    rc, cc = numeric_bins(ref, cur)
    e.update(binned(rc, cc))
    e["_bins"] = {"reference": rc.astype(int).tolist(), "current": cc.astype(int).tolist()}
    return e


# ---------- categorical methods ----------
def categorical_expected(ref_counts, cur_counts):
    cats = sorted(set(ref_counts) | set(cur_counts))
    rc = np.array([ref_counts.get(k, 0) for k in cats], dtype=float)
    cc = np.array([cur_counts.get(k, 0) for k in cats], dtype=float)
    table = np.array([rc, cc])
    e = {}

    def chi2(lam):
        def f():
            r = stats.chi2_contingency(table, correction=True, lambda_=lam)
            return r.statistic, r.pvalue
        return f
    e["chi2"] = guarded(chi2(None))
    e["g_test"] = guarded(chi2("log-likelihood"))
    if len(cats) == 2:
        n1, n2 = rc.sum(), cc.sum()
        p1, p2 = rc[0] / n1, cc[0] / n2
        if p1 == p2:
            e["z"] = {"statistic": 0.0, "p_value": 1.0}
        else:
            pp = (rc[0] + cc[0]) / (n1 + n2)
            z = (p1 - p2) / math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2))
            e["z"] = {"statistic": num(z), "p_value": num(2 * stats.norm.sf(abs(z)))}
        r = stats.fisher_exact(table.astype(np.int64))
        e["fisher_exact"] = {"statistic": num(r.statistic), "p_value": num(r.pvalue)}
    e.update(binned(rc, cc, cats))
    return e


# ---------- inputs ----------
def read_csv(name):
    with open(name, newline="") as f:
        return list(csv.DictReader(f))


weather = read_csv("seattle-weather.csv")
flights = read_csv("flights-4k.csv")


def wcol(col, pred):
    return [float(r[col]) for r in weather if pred(r)]


def month(r):
    return int(r["date"][5:7])


def year(r):
    return int(r["date"][:4])


def fmonth(r):
    return int(r["date"][5:7])


rng = np.random.Generator(np.random.PCG64(20261127))


def normal(n, mu=0.0, sd=1.0, decimals=3):
    return np.round(rng.normal(mu, sd, n), decimals).tolist()


def nearly_identical(n, moved):
    ref = normal(n, 0, 10, 2)
    cur = list(ref)
    order = np.argsort(ref)
    for i in order[:moved]:  # move the smallest values up past the median
        cur[int(i)] = round(cur[int(i)] + 25.0, 2)
    return ref, cur


numeric_cases = [
    ("seattle temp_max winter vs summer", wcol("temp_max", lambda r: month(r) in (12, 1, 2)),
     wcol("temp_max", lambda r: month(r) in (6, 7, 8))),
    ("seattle wind 2012 vs 2013", wcol("wind", lambda r: year(r) == 2012), wcol("wind", lambda r: year(r) == 2013)),
    ("seattle wind 2014 vs 2015", wcol("wind", lambda r: year(r) == 2014), wcol("wind", lambda r: year(r) == 2015)),
    ("seattle precipitation 2012-2013 vs 2014-2015 (ties at zero)",
     wcol("precipitation", lambda r: year(r) <= 2013), wcol("precipitation", lambda r: year(r) >= 2014)),
    ("seattle temp_min january 2012 vs january 2015", wcol("temp_min", lambda r: year(r) == 2012 and month(r) == 1),
     wcol("temp_min", lambda r: year(r) == 2015 and month(r) == 1)),
    ("flights delay january vs march", [float(r["delay"]) for r in flights if fmonth(r) == 1],
     [float(r["delay"]) for r in flights if fmonth(r) == 3]),
    ("flights distance january vs february", [float(r["distance"]) for r in flights if fmonth(r) == 1],
     [float(r["distance"]) for r in flights if fmonth(r) == 2]),
    ("large same distribution (asymptotic ks)", normal(12000, 0, 10, 2), normal(15000, 0, 10, 2)),
    ("large shifted (asymptotic ks, tiny p)", normal(11000, 0, 10, 2), normal(10500, 0.5, 10, 2)),
    ("large against small (asymptotic ks, small en)", normal(10001, 0, 1), normal(37, 0.3, 1)),
    ("large against tiny (asymptotic ks, en below 1)", normal(10001, 0, 1), [0.5]),
    ("asymptotic ks, Durbin matrix at large n (nearly identical samples)", *nearly_identical(12000, 15)),
    ("asymptotic ks, small en, exact region above 0.754693", normal(10001, 0, 1, 2), normal(50, 0.45, 1, 2)),
    ("asymptotic ks, small en, one-sided Smirnov region", normal(10001, 0, 1, 2), normal(60, 1.3, 1, 2)),
    ("asymptotic ks, statistic above one half", normal(10001, 0, 1, 2), normal(100, 3, 1, 2)),
    ("equal sizes, separated (extreme p)", normal(400, 0, 1), normal(400, 6, 1)),
    ("unequal sizes, separated (extreme p)", normal(700, 0, 1), normal(900, 5, 1)),
    ("equal sizes 5000, small shift", normal(5000, 0, 1), normal(5000, 0.05, 1)),
    ("unequal sizes 3000 vs 7000", normal(3000, 0, 1), normal(7000, 0.04, 1.05)),
    ("integer ties (dice)", rng.integers(1, 7, 50).astype(float).tolist(), rng.integers(1, 7, 60).astype(float).tolist()),
    ("heavy ties, few values", rng.integers(0, 3, 200).astype(float).tolist(), rng.integers(0, 4, 150).astype(float).tolist()),
    ("exact mann-whitney 7 vs 12", normal(7), normal(12, 0.8)),
    ("exact mann-whitney 8 vs 500", normal(8, 0.5), normal(500)),
    ("exact mann-whitney 3 vs 5", normal(3), normal(5, 1)),
    ("exact cramer-von mises 10 vs 15", normal(10), normal(15, 0.7)),
    ("exact cramer-von mises with ties 20 vs 20", np.round(rng.normal(0, 1, 20), 1).tolist(),
     np.round(rng.normal(0.2, 1, 20), 1).tolist()),
    ("tiny n=1 vs n=1", [1.0], [2.0]),
    ("tiny n=1 vs n=2", [1.0], [2.0, 3.0]),
    ("tiny n=1 vs n=3", [0.5], [1.0, 2.0, 3.0]),
    ("tiny n=2 vs n=2", [1.0, 2.0], [3.0, 4.0]),
    ("tiny n=3 vs n=3", [1.0, 2.5, 4.0], [2.0, 3.0, 3.5]),
    ("tiny n=2 vs n=3 with tie", [1.0, 2.0], [2.0, 3.0, 5.0]),
    ("constant reference", [5.0] * 10, [4.0, 5.0, 6.0, 5.5, 4.5, 5.0, 6.5, 3.5]),
    ("constant current", [4.0, 5.0, 6.0, 5.5, 4.5, 5.0, 6.5, 3.5, 7.0], [5.0] * 12),
    ("both constant, same value", [3.0] * 6, [3.0] * 9),
    ("both constant, different values", [3.0] * 6, [4.0] * 9),
    ("current outside the reference range", normal(300, 0, 1), normal(200, 0, 3)),
    ("at most 20 distinct reference values, unseen current values",
     rng.integers(0, 15, 400).astype(float).tolist(), rng.integers(5, 25, 300).astype(float).tolist()),
    ("huge and tiny magnitudes", (np.array(normal(60)) * 1e12).tolist(), (np.array(normal(70, 0.5)) * 1e12).tolist()),
    ("negative and tiny values", (np.array(normal(60)) * 1e-9).tolist(), (np.array(normal(70, -0.5)) * 1e-9).tolist()),
]


def counts(values):
    out = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


categorical_cases = [
    ("seattle weather 2012 vs 2015", counts(r["weather"] for r in weather if year(r) == 2012),
     counts(r["weather"] for r in weather if year(r) == 2015)),
    ("seattle weather winter vs summer", counts(r["weather"] for r in weather if month(r) in (12, 1, 2)),
     counts(r["weather"] for r in weather if month(r) in (6, 7, 8))),
    ("seattle rain winter vs summer (2 categories)",
     counts("rain" if r["weather"] == "rain" else "dry" for r in weather if month(r) in (12, 1, 2)),
     counts("rain" if r["weather"] == "rain" else "dry" for r in weather if month(r) in (6, 7, 8))),
    ("seattle rain 2012 vs 2013 (2 categories)", counts("rain" if r["weather"] == "rain" else "dry" for r in weather if year(r) == 2012),
     counts("rain" if r["weather"] == "rain" else "dry" for r in weather if year(r) == 2013)),
    ("flights origin january vs march", counts(r["origin"] for r in flights if fmonth(r) == 1),
     counts(r["origin"] for r in flights if fmonth(r) == 3)),
    ("unseen categories on both sides", {"a": 40, "b": 30, "c": 30}, {"b": 20, "c": 50, "d": 25}),
    ("2x2 with a zero cell", {"no": 12, "yes": 0}, {"no": 5, "yes": 7}),
    ("2x2 tiny counts", {"x": 1, "y": 2}, {"x": 3, "y": 1}),
    ("2x2 equal proportions", {"x": 10, "y": 30}, {"x": 20, "y": 60}),
    ("2x2 large counts, extreme p", {"x": 90000, "y": 10000}, {"x": 70000, "y": 30000}),
    ("2x2 moderate counts", {"left": 120, "right": 80}, {"left": 95, "right": 105}),
    ("single category on both sides", {"only": 10}, {"only": 25}),
]


def main():
    out = {
        "generator": "make_golden.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "numeric": [],
        "categorical": [],
    }
    for name, ref, cur in numeric_cases:
        out["numeric"].append({"name": name, "reference": [float(v) for v in ref],
                               "current": [float(v) for v in cur], "expected": numeric_expected(ref, cur)})
    for name, ref, cur in categorical_cases:
        out["categorical"].append({"name": name, "reference": ref, "current": cur,
                                   "expected": categorical_expected(ref, cur)})
    # kstwo.sf(x, n) over every region of SciPy's algorithm choice, including the sizes of samples of millions
    grid = []
    for n in (1, 2, 5, 37, 140, 141, 1000, 6000, 99999, 100001, 500000, 1000000, 1500000):
        for x in (0.3 / n, 0.75 / n, 1.5 / n, 0.2 / math.sqrt(n), 0.6 / math.sqrt(n), 0.9 / math.sqrt(n),
                  1.2 / math.sqrt(n), 1.6 / math.sqrt(n), 2.5 / math.sqrt(n), 5.0 / math.sqrt(n), 0.3, 0.55, 0.97):
            if 0 < x < 1:
                grid.append({"n": n, "x": x, "sf": num(stats.kstwo.sf(x, n))})
    out["kstwo_sf"] = grid
    with open("two-sample-golden.json", "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"), allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
