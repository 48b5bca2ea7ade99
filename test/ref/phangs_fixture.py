"""Writes a PHANGS-HST-like cluster catalog with astropy, as a FITS BINTABLE and as CSV (the same table), for the
PHANGS readers: 0-based PHANGS_X/PHANGS_Y, the human class, per-band VEGA_TOT magnitudes with the -9999
no-coverage sentinel and a NaN, an int64 id, a float32 column, a string column and a vector column, and one row
whose position is NaN (a bad row: table row 3).

usage: phangs_fixture.py DIR   -> writes DIR/ngc1559_phangs.fits and DIR/ngc1559_phangs.csv
"""
import os
import sys

import numpy as np
from astropy.table import Table

out = sys.argv[1]
t = Table()
t["ID_PHANGS_CLUSTER"] = np.array([101, 102, 103, 9007199254740993, 105], dtype=np.int64)  # 2^53 + 1: must stay exact
t["PHANGS_X"] = np.array([10.25, 0.0, 3.0, 4095.5, 7.0])
t["PHANGS_Y"] = np.array([20.75, 0.0, np.nan, 1.5, 8.0])
t["PHANGS_RA"] = np.array([64.4021, 64.4022, 64.4023, 64.4024, 64.4025])
t["PHANGS_DEC"] = np.array([-62.7837, -62.7838, -62.7839, -62.7840, -62.7841])
t["PHANGS_CLUSTER_CLASS_HUMAN"] = np.array([1, 4, 2, 0, 3], dtype=np.int16)
bands = ["F275W", "F336W", "F435W", "F555W", "F814W"]
mags = np.array([
    [22.1, 21.9, 22.5, 22.0, 21.0],
    [-9999, -9999, 23.1, 22.4, 21.7],   # two bands without coverage
    [20.0, 20.1, 20.2, 20.3, 20.4],
    [np.nan, 24.0, 23.5, 23.0, 22.5],   # NaN also means no coverage
    [21.0, 21.1, 21.2, 21.3, 21.4],
])
for b, band in enumerate(bands):
    t[f"PHANGS_{band}_VEGA_TOT"] = mags[:, b]
    t[f"PHANGS_{band}_VEGA_TOT_ERR"] = np.where(np.isfinite(mags[:, b]) & (mags[:, b] != -9999), 0.05 + 0.01 * b, -9999)
t["PHANGS_CI"] = np.array([1.25, 1.5, 2.0, 1.75, 1.0], dtype=np.float32)
t["PHANGS_GALAXY"] = ["ngc1559"] * 5
t["PHANGS_FLAGS"] = np.arange(10, dtype=np.int32).reshape(5, 2)

t.write(os.path.join(out, "ngc1559_phangs.fits"), overwrite=True)
t.remove_column("PHANGS_FLAGS")  # CSV has no vector columns
t.write(os.path.join(out, "ngc1559_phangs.csv"), overwrite=True)
