"""astropy side of bench:fits: reads 50x50 sections at the given positions through a memory-mapped `section`.

usage: fits_sections.py MOSAIC POSITIONS_JSON SIZE  -> JSON {"seconds", "stamps", "sum", "maxrss_kb"}
"""
import json
import resource
import sys
import time

from astropy.io import fits

path, positions, size = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
total = 0.0
with fits.open(path, memmap=True) as hdul:
    section = hdul[0].section
    t0 = time.perf_counter()
    for x0, y0 in positions:
        stamp = section[y0:y0 + size, x0:x0 + size]
        total += float(stamp.sum(dtype="float64"))
    seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "stamps": len(positions), "sum": total,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
