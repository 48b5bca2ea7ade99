"""astropy's view of every file it ships as test data in io/fits/tests/data and wcs/tests/data (subfolders too),
for the corpus test: astropy decides what is FITS (whatever fits.open opens is in the corpus, whatever it refuses is
listed with its error).

usage: fits_corpus.py  ->  JSON {"astropy": version, "files": [{"file", "opened": bool, "error"?, "warnings": [...], "info"?, "hdus"?: [
    {"index", "class": astropy's HDU class, "kind": "image" | "groups" | "table" | "nonstandard" | "none",
     images: "dtype", "shape", "sha256" (of the data as little-endian bytes in astropy's dtype) | "dataError";
     tables (BinTableHDU): "columns": {name: {"dtype", "sha256" | "values" (strings, logicals) | "object" | "zeroWidth"}}
    | "dataError"}]}]}
"""
import hashlib
import io
import json
import os
import warnings

import astropy
import numpy as np
from astropy.io import fits

ROOT = os.path.dirname(astropy.__file__)
FOLDERS = [os.path.join(ROOT, "io", "fits", "tests", "data"), os.path.join(ROOT, "wcs", "tests", "data")]


def corpus_files():
    """Every file under the two folders, in a stable order."""
    for folder in FOLDERS:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                yield os.path.join(dirpath, name)


def kind(hdu):
    """What the data of an HDU are; CompImageHDU is a BinTableHDU subclass in astropy 5.2, so it goes first."""
    if isinstance(hdu, fits.GroupsHDU):
        return "groups"
    if isinstance(hdu, (fits.CompImageHDU, fits.PrimaryHDU, fits.ImageHDU)):
        return "image"
    if isinstance(hdu, (fits.BinTableHDU, fits.TableHDU)):
        return "table"
    if type(hdu).__name__ == "_NonstandardHDU":
        return "nonstandard"
    return "none"


def image_data(hdu):
    """dtype, shape and sha256 of an image's data (astropy's .data, physical values), or the error reading it."""
    try:
        data = hdu.data
    except Exception as e:  # e.g. a header-only file astropy opened with a 'truncated' warning
        return {"dataError": f"{type(e).__name__}: {e}"}
    if data is None:
        return {}
    return {"dtype": data.dtype.name, "shape": list(data.shape), "sha256": sha256(data)}


def sha256(a):
    a = np.ascontiguousarray(a)
    return hashlib.sha256(a.astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest()


def table_data(hdu):
    """Each column as astropy's .data gives it: numbers hashed, strings and logicals listed (flattened row-major)."""
    try:
        data = hdu.data
        columns = {}
        for c in hdu.columns:
            a = data[c.name]
            if a.dtype.kind in "SU":
                # astropy returns a chararray, whose items lose trailing whitespace (its __getitem__ rstrips them);
                # tolist() would bypass that, so strip as an item read does.
                columns[c.name] = {"dtype": str(a.dtype), "values": [v.rstrip() for v in np.asarray(a).ravel().tolist()]}
            elif a.dtype.kind == "b":
                columns[c.name] = {"dtype": "bool", "values": np.ravel(a).tolist()}
            elif a.dtype.kind == "O":  # variable-length arrays: a list of arrays per row
                columns[c.name] = {"dtype": "object", "object": True}
            elif a.dtype.kind == "V":  # a zero-width column (TFORM '0D'): no values, a void placeholder per row
                columns[c.name] = {"dtype": "void", "zeroWidth": True}
            else:
                columns[c.name] = {"dtype": a.dtype.name, "sha256": sha256(a)}
        return {"columns": columns}
    except Exception as e:
        return {"dataError": f"{type(e).__name__}: {e}"}


def view(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with fits.open(path) as hdul:
                hdul.readall()
                buf = io.StringIO()
                hdul.info(output=buf)  # before any data is touched, as our info() sees it
                hdus = []
                for i, hdu in enumerate(hdul):
                    d = {"index": i, "class": type(hdu).__name__, "kind": kind(hdu)}
                    if d["kind"] == "image":
                        d.update(image_data(hdu))
                    elif isinstance(hdu, fits.BinTableHDU):
                        d.update(table_data(hdu))
                    hdus.append(d)
                out = {"file": path, "opened": True, "info": buf.getvalue(), "hdus": hdus}
        except Exception as e:
            out = {"file": path, "opened": False, "error": f"{type(e).__name__}: {e}"}
        # Deduplicated: astropy repeats the 'truncated' warning once per look at the HDU.
        out["warnings"] = list(dict.fromkeys(str(w.message) for w in caught))
    return out


print(json.dumps({"astropy": astropy.__version__, "files": [view(p) for p in corpus_files()]}))
