"""astropy's view of files that exercise our reader's tolerance: info() text, cards after verify('fix') (which turns
a malformed value into a string, with a warning), the warnings, and image data; and the HST-like cutout fixture.

usage: fits_defects.py view FILE...  -> JSON {file: {"info", "warnings": [...], "hdus": [{"cards": [[k, v, c]], "hex"}]}}
       fits_defects.py hst OUT       -> writes an FLT-like file (SCI/ERR/DQ x 2, D2IMARR, WCSDVARR x 2, a cube)
"""
import io
import json
import sys
import warnings

import numpy as np
from astropy.io import fits


def view(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with fits.open(path) as hdul:
            buf = io.StringIO()
            hdul.info(output=buf)
            hdul.verify("fix+warn")
            hdus = []
            for hdu in hdul:
                cards = [[c.keyword, c.value if isinstance(c.value, (bool, int, float, str)) else None, c.comment]
                         for c in hdu.header.cards]
                d = {"cards": cards}
                if isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU)) and not isinstance(hdu, fits.GroupsHDU) and hdu.data is not None:
                    a = np.ascontiguousarray(hdu.data)
                    d["hex"] = a.astype(a.dtype.newbyteorder("<")).tobytes().hex()
                hdus.append(d)
    return {"info": buf.getvalue(), "warnings": [str(w.message) for w in caught], "hdus": hdus}


def hst(out):
    rng = np.random.default_rng(19)
    hdus = [fits.PrimaryHDU()]
    hdus[0].header["TELESCOP"] = "HST"
    for ver in (1, 2):
        sci = fits.ImageHDU(rng.normal(10, 2, (30, 40)).astype(np.float32), name="SCI", ver=ver)
        sci.header["CRPIX1"] = 20.0
        err = fits.ImageHDU(rng.normal(1, 0.1, (30, 40)).astype(np.float32), name="ERR", ver=ver)
        dq = fits.ImageHDU(rng.integers(0, 512, (30, 40)).astype(np.int16), name="DQ", ver=ver)  # no BLANK, as HST
        hdus += [sci, err, dq]
    hdus.append(fits.ImageHDU(np.zeros((1, 64), np.float32), name="D2IMARR", ver=1))
    hdus += [fits.ImageHDU(np.zeros((8, 9), np.float32), name="WCSDVARR", ver=v) for v in (1, 2)]
    hdus.append(fits.ImageHDU(np.zeros((3, 30, 40), np.float32), name="CUBE"))
    fits.HDUList(hdus).writeto(out, overwrite=True)


if sys.argv[1] == "view":
    print(json.dumps({p: view(p) for p in sys.argv[2:]}))
else:
    hst(sys.argv[2])
