"""Opens a FITS file with astropy, verifies it strictly, and prints every HDU as JSON (header and scaled data).

usage: fits_dump.py FILE   ->  [{"name", "header": {...}, "shape", "dtype", "data": [...] (NaN as null)}, ...]
Checksums are verified when present (astropy raises on a mismatch with checksum=True).
"""
import json
import math
import sys
import warnings

from astropy.io import fits

warnings.simplefilter("error")  # any astropy warning (e.g. a non-standard card) fails the reference check
with fits.open(sys.argv[1], checksum=True) as hdul:
    hdul.verify("exception")
    out = []
    for hdu in hdul:
        data = None if hdu.data is None else [None if isinstance(v, float) and math.isnan(v) else v for v in hdu.data.ravel().tolist()]
        out.append({
            "name": hdu.name,
            "header": {k: v for k, v in hdu.header.items() if k not in ("COMMENT", "HISTORY", "")},
            "shape": None if hdu.data is None else list(hdu.data.shape),
            "dtype": None if hdu.data is None else str(hdu.data.dtype),
            "data": data,
        })
print(json.dumps(out))
