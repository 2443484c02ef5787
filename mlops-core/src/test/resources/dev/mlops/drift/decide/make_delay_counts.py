"""Writes delay-counts.csv: how many flights of January and of March 2001 had each delay (minutes), from
flights-3m.parquet (U.S. Bureau of Transportation Statistics, via vega-datasets@3.2.1, BSD-3-Clause).

The counts hold the two months' delays exactly (508,239 and 511,502 flights) in a few kilobytes; the Java tests
expand them. Run: pip install pyarrow==26.0.1 numpy==2.4.6 && python3 make_delay_counts.py PATH/flights-3m.parquet
"""
import sys

import numpy as np
import pyarrow
import pyarrow.parquet as pq

PYARROW = "26.0.1"
NUMPY = "2.4.6"
assert pyarrow.__version__ == PYARROW, pyarrow.__version__
assert np.__version__ == NUMPY, np.__version__

table = pq.read_table(sys.argv[1] if len(sys.argv) > 1 else "flights-3m.parquet")
month = table.column("date").to_numpy().astype("datetime64[M]").astype(int) % 12 + 1
delay = table.column("delay").to_numpy()
jan = dict(zip(*np.unique(delay[month == 1], return_counts=True)))
mar = dict(zip(*np.unique(delay[month == 3], return_counts=True)))
with open("delay-counts.csv", "w", newline="\n") as out:
    out.write(f"# made by make_delay_counts.py with pyarrow {PYARROW}, numpy {NUMPY}\n")
    out.write("delay,january,march\n")
    for d in sorted(set(jan) | set(mar)):
        out.write(f"{int(d)},{int(jan.get(d, 0))},{int(mar.get(d, 0))}\n")
