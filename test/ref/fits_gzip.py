"""Writes gzipped FITS files with astropy (HDUList.writeto on a .fits.gz name compresses), for the .gz reader test:
a scaled int16 image with BLANK, a MEF with a table, and a file whose HDUs straddle the 2880-byte blocks oddly.

usage: fits_gzip.py DIR  ->  writes DIR/*.fits.gz and prints the file names as JSON
"""
import json
import os
import sys

import numpy as np
from astropy.io import fits

out = sys.argv[1]
rng = np.random.default_rng(7)
written = []


def save(name, hdul):
    hdul.writeto(os.path.join(out, name), overwrite=True)
    written.append(name)


ints = rng.integers(-32768, 32767, size=(37, 53), dtype=np.int16)
ints[3, 4] = -32768
hdu = fits.PrimaryHDU(ints, do_not_scale_image_data=True)
hdu.header["BSCALE"], hdu.header["BZERO"], hdu.header["BLANK"] = 0.25, 1000.5, -32768
save("astropy-scaled16.fits.gz", fits.HDUList([hdu]))
hdus = [fits.PrimaryHDU()]
for b in range(3):
    hdus.append(fits.ImageHDU(rng.normal(b, 1, (61, 45)).astype(np.float32), name=f"BAND{b}"))
hdus.append(fits.BinTableHDU.from_columns([fits.Column(name="ID", format="J", array=np.arange(9)),
                                           fits.Column(name="FLUX", format="E", array=rng.normal(0, 1, 9).astype(np.float32))], name="CAT"))
save("astropy-mef.fits.gz", fits.HDUList(hdus))
save("astropy-f64.fits.gz", fits.HDUList([fits.PrimaryHDU(rng.normal(0, 1e6, (17, 1001)))]))
print(json.dumps(written))
