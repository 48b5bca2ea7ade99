"""Independent count of LEGUS catalog classes with numpy, for comparison with our reader.

usage: legus_counts.py FILE CLASS_COLUMN   ->  JSON {"rows", "classes": [n1..n4], "ge4": [..], "unclassified", "ids": [first 3]}
"""
import json
import sys

import numpy as np

path, column = sys.argv[1], int(sys.argv[2])
table = np.loadtxt(path, ndmin=2)
cls = table[:, column - 1]
nfilt = table[:, 32]
out = {
    "rows": int(table.shape[0]),
    "classes": [int(np.sum(cls == c)) for c in (1, 2, 3, 4)],
    "ge4": [int(np.sum((cls == c) & (nfilt >= 4) & (nfilt != 200))) for c in (1, 2, 3, 4)],
    "unclassified": int(np.sum(cls == 0)),
    "x": table[:3, 1].tolist(),
    "mag_f555w": table[:3, 11].tolist(),
}
print(json.dumps(out))
