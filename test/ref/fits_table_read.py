"""Reads the first BINTABLE of a FITS file with astropy's Table (after a strict verify, warnings as errors) and
prints it as JSON, for checking the tables we write.

usage: fits_table_read.py FILE  ->  {"extname", "columns": {name: {"dtype", "unit", "values": [... masked or NaN as null]}},
                                     "primary": {key: value}}
"""
import json
import math
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.table import Table

warnings.simplefilter("error")  # a non-standard card or column definition fails the check
with fits.open(sys.argv[1]) as hdul:
    hdul.verify("exception")
    primary = {k: v for k, v in hdul[0].header.items() if k not in ("COMMENT", "HISTORY", "")}
    index = next(i for i, h in enumerate(hdul) if isinstance(h, fits.BinTableHDU))
    extname = hdul[index].name
table = Table.read(sys.argv[1], hdu=index)


def plain(v):
    if v is np.ma.masked:
        return None
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, bytes):
        v = v.decode("ascii")
    return None if isinstance(v, float) and math.isnan(v) else v


columns = {}
for name in table.colnames:
    col = table[name]
    columns[name] = {"dtype": col.dtype.name, "unit": None if col.unit is None else str(col.unit), "values": [plain(v) for v in col]}
print(json.dumps({"extname": extname, "columns": columns, "primary": primary}))
