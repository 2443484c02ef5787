#!/usr/bin/env python3
"""Writes detector-reference.json: fixed synthetic streams and River's detections on them.

Run from this directory:  pip install river==0.26.1 numpy==2.4.6 && python3 make_detector_reference.py
The Java test (dev.mlops.policy.RiverReferenceTest) reads the fixture; it never runs Python.

Streams use numpy's PCG64 with fixed seeds. Real-valued streams are rounded to 4 decimals so that the JSON holds
exactly the doubles River saw. Indexes are 0-based positions in the stream.
For each stream and detector: "changes" lists the indexes where drift_detected was true after update, "warnings"
(DDM, EDDM) those where warning_detected was true and drift_detected false.
River's detectors are used with their defaults; Page-Hinkley with mode="up" (one-sided, increase).
"""
import json

import numpy as np
import river
from river import drift

RIVER_VERSION = "0.26.1"
NUMPY_VERSION = "2.4.6"
assert river.__version__ == RIVER_VERSION, river.__version__
assert np.__version__ == NUMPY_VERSION, np.__version__


def bernoulli(seed, probs):
    rng = np.random.Generator(np.random.PCG64(seed))
    u = rng.random(len(probs))
    return [1 if u[i] < probs[i] else 0 for i in range(len(probs))]


def normal(seed, means, sd):
    rng = np.random.Generator(np.random.PCG64(seed))
    z = rng.standard_normal(len(means))
    return [round(float(means[i] + sd * z[i]), 4) for i in range(len(means))]


def steps(n, change, before, after):
    return [before if i < change else after for i in range(n)]


def ramp(n, start, end, before, after):
    out = []
    for i in range(n):
        if i < start:
            out.append(before)
        elif i >= end:
            out.append(after)
        else:
            out.append(before + (after - before) * (i - start) / (end - start))
    return out


STREAMS = {
    "bernoulli-abrupt": ("binary", bernoulli(101, steps(3000, 1000, 0.1, 0.4))),
    "bernoulli-abrupt-small": ("binary", bernoulli(102, steps(3000, 1000, 0.2, 0.3))),
    "bernoulli-gradual": ("binary", bernoulli(103, ramp(3000, 1000, 2000, 0.1, 0.4))),
    "bernoulli-stationary": ("binary", bernoulli(104, [0.2] * 5000)),
    "bernoulli-two-changes": ("binary", bernoulli(105, [0.1] * 1000 + [0.4] * 1000 + [0.1] * 1000)),
    "normal-abrupt": ("real", normal(201, steps(3000, 1000, 0.2, 0.8), 0.1)),
    "normal-gradual": ("real", normal(202, ramp(3000, 1000, 2000, 0.2, 0.8), 0.1)),
    "normal-stationary": ("real", normal(203, [0.5] * 5000, 0.1)),
    "normal-loss-abrupt": ("real", normal(204, steps(4000, 2000, 1.0, 2.0), 0.5)),
}


def run(detector, xs, warnings):
    changes, warns = [], []
    for i, x in enumerate(xs):
        detector.update(x)
        if detector.drift_detected:
            changes.append(i)
        elif warnings and detector.warning_detected:
            warns.append(i)
    out = {"changes": changes}
    if warnings:
        out["warnings"] = warns
    return out


def main():
    streams = []
    for name, (kind, xs) in STREAMS.items():
        results = {}
        if kind == "binary":
            results["ddm"] = run(drift.binary.DDM(), xs, True)
            results["eddm"] = run(drift.binary.EDDM(), xs, True)
        results["page_hinkley"] = run(drift.PageHinkley(mode="up"), xs, False)
        results["adwin"] = run(drift.ADWIN(), xs, False)
        streams.append({"name": name, "kind": kind, "values": xs, "river": results})
    doc = {
        "generator": "make_detector_reference.py",
        "river_version": RIVER_VERSION,
        "numpy_version": NUMPY_VERSION,
        "streams": streams,
    }
    with open("detector-reference.json", "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
