"""Writes, with astropy, a field for the curation check: five 300 x 250 mosaics stored five different ways, and a
plain CSV catalog (1-based positions) of random and chosen positions.

  F275W  int16 with BSCALE/BZERO (as the simulator's mosaics); zero (no coverage) for x <= 60
  F336W  float32 in a SCI extension after an empty primary, followed by a WHT extension (as MAST drc files)
  F438W  float64
  F555W  int32 without scaling
  F814W  float32 with NaN (masked) for 200 <= x <= 220, 50 <= y <= 70
Every band has a delta function at 1-based (150, 120).

usage: curate_fixture.py DIR   -> DIR/test_f275w.fits ... DIR/test_catalog.csv; prints {band: file} as JSON
"""
import json
import os
import sys

import numpy as np
from astropy.io import fits

out = sys.argv[1]
rng = np.random.default_rng(5)
H, W = 250, 300
y, x = np.mgrid[1:H + 1, 1:W + 1]  # 1-based pixel coordinates
files = {}


def base(b):
    return (b + 1) * 100.0 + 0.1 * x + 0.01 * y + rng.normal(0, 1, (H, W))


def save(band, hdul):
    name = os.path.join(out, f"test_{band.lower()}.fits")
    hdul.writeto(name, overwrite=True)
    files[band] = name


f275 = base(0)
f275[x <= 60] = 0
f275[119, 149] = 1000
hdu = fits.PrimaryHDU(np.round((f275 - 150) / 0.05).astype(np.int16), do_not_scale_image_data=True)
hdu.header["BSCALE"], hdu.header["BZERO"] = 0.05, 150.0
hdu.header["FILTER"] = "F275W"
save("F275W", fits.HDUList([hdu]))

f336 = base(1).astype(np.float32)
f336[119, 149] = 6000
sci = fits.ImageHDU(f336, name="SCI")
sci.header["CRPIX1"], sci.header["CRPIX2"], sci.header["CRVAL1"], sci.header["CRVAL2"] = 150.5, 125.5, 24.17, 15.78
save("F336W", fits.HDUList([fits.PrimaryHDU(), sci, fits.ImageHDU(np.ones((H, W), np.float32), name="WHT")]))

f438 = base(2) + 1e-9  # float64 detail that float32 stamps round away
f438[119, 149] = 7000
save("F438W", fits.HDUList([fits.PrimaryHDU(f438)]))

f555 = np.round(base(3) * 10).astype(np.int32)
f555[119, 149] = 80000
save("F555W", fits.HDUList([fits.PrimaryHDU(f555)]))

f814 = base(4).astype(np.float32)
f814[(x >= 200) & (x <= 220) & (y >= 50) & (y <= 70)] = np.nan
f814[119, 149] = 9000
save("F814W", fits.HDUList([fits.PrimaryHDU(f814)]))

rows = ["id,x,y,class", "delta,150,120,1", "int1,100,100,2", "int2,61,200,3", "tie,120.5,160.5,4", "gap,30.3,100.7,1", "nan,210,60,2"]
for i in range(60):
    rows.append(f"r{i},{rng.uniform(1, W):.3f},{rng.uniform(1, H):.3f},{int(rng.integers(0, 5)) or ''}")
with open(os.path.join(out, "test_catalog.csv"), "w") as f:
    f.write("\n".join(rows) + "\n")
print(json.dumps(files))
