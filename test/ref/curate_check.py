"""Checks a curation folder with astropy and Python's csv module: every kept stamp opens (verify('exception'),
warnings as errors), has an empty primary HDU with the provenance cards and five float32 size x size extensions
EXTNAME'd in band order, and holds exactly the astropy cutout of each mosaic (bit for bit; zeros for the missing
band). The cutout is numpy slicing around the pixel containing the catalog position (floor(x + 0.5), 1-based);
where the position is an integer it is also checked against astropy.nddata.Cutout2D.

usage: curate_check.py OUT MOSAICS_JSON   -> JSON {"rows", "kept", "bands_compared", "cutout2d", "centre", "problems"}
"""
import csv
import json
import math
import os
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.nddata import Cutout2D

warnings.simplefilter("error")
out, mosaics = sys.argv[1], json.loads(sys.argv[2])
BANDS = ["F275W", "F336W", "F438W", "F555W", "F814W"]


def image(path):
    with fits.open(path) as hdul:
        hdu = hdul[0] if hdul[0].data is not None else hdul["SCI"]
        return np.asarray(hdu.data)


data = {b: image(mosaics[b]) for b in BANDS}
with open(os.path.join(out, "manifest.csv"), newline="") as f:
    rows = list(csv.DictReader(f))
with open(os.path.join(out, "curation.json")) as f:
    size = json.load(f)["size"]
half = size // 2
problems, compared, cut2d, centre = [], 0, 0, {}
for row in rows:
    if row["status"] != "kept":
        continue
    x, y = float(row["x"]), float(row["y"])
    cx, cy = math.floor(x + 0.5) - 1, math.floor(y + 0.5) - 1  # 0-based centre pixel
    with fits.open(os.path.join(out, row["stamp"])) as hdul:
        hdul.verify("exception")
        h0 = hdul[0].header
        if hdul[0].data is not None or [h.name for h in hdul[1:]] != BANDS:
            problems.append(f"{row['id']}: layout {[h.name for h in hdul]}")
            continue
        for key, want in [("OBJID", row["id"]), ("FIELD", row["field"]), ("STAMPSZ", size), ("X", x), ("Y", y), ("CLASS", int(row["class"] or 0))]:
            if h0.get(key) != want:
                problems.append(f"{row['id']}: {key} = {h0.get(key)!r}, expected {want!r}")
        if (h0.get("MISSBAND") or "") != row["missing_band"]:
            problems.append(f"{row['id']}: MISSBAND {h0.get('MISSBAND')!r} vs manifest {row['missing_band']!r}")
        for band, hdu in zip(BANDS, hdul[1:]):
            stamp = hdu.data
            if stamp.dtype != np.dtype(">f4") or stamp.shape != (size, size):
                problems.append(f"{row['id']} {band}: {stamp.dtype} {stamp.shape}")
                continue
            if band == row["missing_band"]:
                want = np.zeros((size, size), np.float32)
                if hdu.header.get("MISSING") is not True:
                    problems.append(f"{row['id']} {band}: no MISSING card")
            else:
                want = data[band][cy - half:cy - half + size, cx - half:cx - half + size].astype(np.float32)
                if x == int(x) and y == int(y):
                    ref = Cutout2D(data[band], (cx, cy), size, mode="strict").data.astype(np.float32)
                    cut2d += 1
                    if not np.array_equal(ref.view(np.uint32), want.view(np.uint32)):
                        problems.append(f"{row['id']} {band}: Cutout2D differs from the slice")
            if not np.array_equal(stamp.astype(np.float32).view(np.uint32), want.view(np.uint32)):
                problems.append(f"{row['id']} {band}: {int(np.sum(stamp != want))} pixels differ from the astropy cutout")
            compared += 1
            if row["id"] == "delta":
                centre[band] = float(stamp[half, half])
print(json.dumps({"rows": len(rows), "kept": sum(r["status"] == "kept" for r in rows), "bands_compared": compared,
                  "cutout2d": cut2d, "centre": centre, "problems": problems}))
