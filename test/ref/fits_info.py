"""Opens FITS files with astropy (strict verify, warnings as errors) and prints per HDU its header and data statistics.

usage: fits_info.py FILE...  ->  JSON {file: [{"name", "header", "shape", "dtype", "min", "max", "mean", "nan"}]}
"""
import json
import sys
import warnings

import numpy as np
from astropy.io import fits

warnings.simplefilter("error")
out = {}
for path in sys.argv[1:]:
    with fits.open(path) as hdul:
        hdul.verify("exception")
        out[path] = [{
            "name": h.name,
            "header": {k: v for k, v in h.header.items() if k not in ("COMMENT", "HISTORY", "")},
            "shape": None if h.data is None else list(h.data.shape),
            "dtype": None if h.data is None else str(h.data.dtype),
            "min": None if h.data is None else float(np.nanmin(h.data)),
            "max": None if h.data is None else float(np.nanmax(h.data)),
            "mean": None if h.data is None else float(np.nanmean(h.data)),
            "nan": None if h.data is None else int(np.isnan(h.data).sum()),
        } for h in hdul]
print(json.dumps(out))
