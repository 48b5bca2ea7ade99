"""Prints astropy's view of a FITS file as JSON, exact to the bit, for comparison with our reader.

usage: fits_exact.py FILE [SECTIONS_JSON]   |   fits_exact.py --many FILE...  (a JSON list, no sections)
  -> {"info": text of info(), "hdus": [{"name", "cards": [[key, value, comment]], "dtype", "shape", "hex"
      (image data as little-endian bytes) | "columns": {name: {"dtype", "hex" | "values"}}}],
      "sections": [{"dtype", "shape", "hex"}] for SECTIONS_JSON = [[hdu, x0, y0, width, height], ...]}
Card values: bool, int (big ints as {"bigint": "..."}), float, str, null for an undefined value.
"""
import io
import json
import sys

import numpy as np
from astropy.io import fits


def value(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, int):
        return v if abs(v) < 2**53 else {"bigint": str(v)}
    if isinstance(v, (float, str)):
        return v
    return None  # astropy's Undefined


def le_hex(a):
    a = np.ascontiguousarray(a)
    return a.astype(a.dtype.newbyteorder("<")).tobytes().hex()


def view(path, sections):
    with fits.open(path) as hdul:
        buf = io.StringIO()
        hdul.info(output=buf)  # before any data is touched, as our info() sees it
        out = {"info": buf.getvalue(), "hdus": []}
        for hdu in hdul:
            d = {"name": hdu.name, "cards": [[c.keyword, value(c.value), c.comment] for c in hdu.header.cards]}
            if isinstance(hdu, fits.CompImageHDU):  # a BinTableHDU subclass in astropy 5.2: its .data is the image
                d["dtype"] = hdu.data.dtype.name
                d["shape"] = list(hdu.data.shape)
                d["hex"] = le_hex(hdu.data)
            elif isinstance(hdu, fits.BinTableHDU):
                cols = {}
                for c in hdu.columns:
                    a = hdu.data[c.name]
                    if a.dtype.kind in "SUb":
                        cols[c.name] = {"dtype": str(a.dtype), "values": a.tolist()}
                    else:
                        cols[c.name] = {"dtype": a.dtype.name, "hex": le_hex(a)}
                d["columns"] = cols
            elif hdu.data is not None:
                d["dtype"] = hdu.data.dtype.name
                d["shape"] = list(hdu.data.shape)
                d["hex"] = le_hex(hdu.data)
            out["hdus"].append(d)
        out["sections"] = []
        for i, x0, y0, w, h in sections:
            # astropy 5.2's CompImageHDU has no .section: its full data, sliced, is what a section must equal.
            s = (hdul[i].data if isinstance(hdul[i], fits.CompImageHDU) else hdul[i].section)[y0:y0 + h, x0:x0 + w]
            out["sections"].append({"dtype": s.dtype.name, "shape": list(s.shape), "hex": le_hex(s)})
    return out


if sys.argv[1] == "--many":
    # One astropy start-up for many files: [view(file), ...] (no sections).
    print(json.dumps([view(path, []) for path in sys.argv[2:]]))
else:
    print(json.dumps(view(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else [])))
