"""Writes the FITS corpus the reader is checked against, with astropy: every BITPIX, BZERO/BSCALE (unsigned
conventions and real scaling), BLANK, NaN/Inf, a 3-D cube, header card kinds, a 5-filter MEF and a BINTABLE.

usage: fits_fixtures.py DIR   -> writes DIR/*.fits and prints the file names as JSON
"""
import json
import os
import sys

import numpy as np
from astropy.io import fits

out = sys.argv[1]
rng = np.random.default_rng(20201)
H, W = 5, 7  # not square, so a swapped axis shows
written = []


def save(name, hdul):
    hdul.writeto(os.path.join(out, name), overwrite=True)
    written.append(name)


def ints(dtype):
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, size=(H, W), dtype=dtype, endpoint=True)
    a.flat[:2] = [info.min, info.max]
    return a


# Unscaled integers and floats, one per BITPIX.
for bitpix, dtype in [(8, np.uint8), (16, np.int16), (32, np.int32), (64, np.int64)]:
    save(f"bitpix{bitpix}.fits", fits.HDUList([fits.PrimaryHDU(ints(dtype))]))
f32 = rng.normal(0, 1e3, (H, W)).astype(np.float32)
f32.flat[:6] = [np.nan, np.inf, -np.inf, -0.0, 1.4e-45, np.finfo(np.float32).max]
save("bitpix-32.fits", fits.HDUList([fits.PrimaryHDU(f32)]))
f64 = rng.normal(0, 1e100, (H, W))
f64.flat[:5] = [np.nan, np.pi, -5e-324, np.finfo(np.float64).max, -0.0]
save("bitpix-64.fits", fits.HDUList([fits.PrimaryHDU(f64)]))

# Unsigned conventions: astropy writes uint16/32/64 and int8 with BZERO = 2^(bits-1) (or -128).
for dtype in [np.uint16, np.uint32, np.uint64, np.int8]:
    save(f"{np.dtype(dtype).name}.fits", fits.HDUList([fits.PrimaryHDU(ints(dtype))]))

# Real scaling: stored integers (or floats) with BSCALE/BZERO set by hand; astropy must rescale on read.
for bitpix, dtype, bscale, bzero in [(8, np.uint8, 0.37, -11.5), (16, np.int16, 0.01, 100.3), (32, np.int32, 1.7e-3, 5.25),
                                     (64, np.int64, 3.3e-9, -2.0), (-32, np.float32, 2.5, -1.1), (-64, np.float64, 1e-3, 7.0)]:
    data = ints(dtype) if bitpix > 0 else rng.normal(0, 100, (H, W)).astype(dtype)
    if bitpix < 0:
        data.flat[3] = np.nan
    hdu = fits.PrimaryHDU(data, do_not_scale_image_data=True)
    hdu.header["BSCALE"] = bscale
    hdu.header["BZERO"] = bzero
    save(f"scaled{bitpix}.fits", fits.HDUList([hdu]))

# BLANK: with scaling (int16) and without (int32 -> astropy gives float64 with NaN).
for name, dtype, blank, scale in [("blank16", np.int16, -32768, (0.5, 10.0)), ("blank32", np.int32, -999, None)]:
    data = ints(dtype)
    data.flat[[4, 9, 10]] = blank
    hdu = fits.PrimaryHDU(data, do_not_scale_image_data=True)
    hdu.header["BLANK"] = blank
    if scale:
        hdu.header["BSCALE"], hdu.header["BZERO"] = scale
    save(f"{name}.fits", fits.HDUList([hdu]))

# A 3-D cube (NAXIS3 = 3).
save("cube.fits", fits.HDUList([fits.PrimaryHDU(rng.normal(size=(3, H, W)).astype(np.float32))]))

# Header cards of every kind, in an order the reader must keep.
h = fits.Header()
h["EXPTIME"] = (1100.5, "[s] exposure")
h["TARGNAME"] = ("it's NGC 628", "quote inside")
h["LEADING"] = "  spaces kept"
h["FLAG"] = (False, "a logical")
h["BIGINT"] = 123456789012345678
h["NEGEXP"] = -1.25e-30
h["LONGSTR"] = ("a long string value " * 6).strip()
h["HIERARCH ESO DET CHIP NAME"] = "CCD-1"
h["UNDEF"] = None
h.add_comment("first comment")
h.add_history("reduced by drizzle")
h.append(fits.Card.fromstring("DEXP    =             1.5D+03 / Fortran double exponent"))
h.append(fits.Card("", "a blank-keyword card"))
h.add_comment("last comment")
save("header.fits", fits.HDUList([fits.PrimaryHDU(np.arange(6, dtype=np.int16).reshape(2, 3), header=h)]))

# A drizzled-mosaic-like MEF: empty primary + one float32 IMAGE per filter + a catalog BINTABLE.
filters = ["F275W", "F336W", "F438W", "F555W", "F814W"]
hdus = [fits.PrimaryHDU()]
hdus[0].header["TELESCOP"] = "HST"
for b, f in enumerate(filters):
    img = rng.normal(b, 1, (40, 60)).astype(np.float32)
    img[0, 0] = np.nan
    hdus.append(fits.ImageHDU(img, name=f))
    hdus[-1].header["FILTER"] = f

n = 6
cols = fits.ColDefs([
    fits.Column(name="ID", format="J", array=np.arange(n) + 1),
    fits.Column(name="RA", format="D", unit="deg", array=rng.uniform(24, 25, n)),
    fits.Column(name="MAG", format="E", array=np.r_[rng.normal(22, 1, n - 1), np.nan].astype(np.float32)),
    fits.Column(name="SHORT", format="I", array=rng.integers(-32768, 32767, n)),
    fits.Column(name="BYTE", format="B", array=rng.integers(0, 255, n)),
    fits.Column(name="BIG", format="K", array=np.r_[np.iinfo(np.int64).min, np.iinfo(np.int64).max, rng.integers(-10**17, 10**17, n - 2)]),
    fits.Column(name="USHORT", format="I", bzero=32768, array=np.array([0, 65535, 1, 2, 3, 40000], dtype=np.uint16)),
    fits.Column(name="SCALED", format="J", array=np.array([-7, 0, 1, 99, 2**31 - 1, -2**31], dtype=np.int32)),
    fits.Column(name="IS_CLUSTER", format="L", array=np.array([True, False, True, True, False, False])),
    fits.Column(name="CLASS", format="12A", array=np.array(["class 1", "  lead", "c'3", "", "twelve chars", "x"])),
    fits.Column(name="FLUX", format="5E", array=rng.normal(0, 1, (n, 5)).astype(np.float32)),
])
table = fits.BinTableHDU.from_columns(cols, name="CATALOG")
# Scaling set on stored values (astropy's Column(bscale=...) would scale the given physical values instead).
table.header.insert("TFORM8", ("TSCAL8", 0.5), after=True)
table.header.insert("TSCAL8", ("TZERO8", 3.0), after=True)
hdus.append(table)
save("mef.fits", fits.HDUList(hdus))
print(json.dumps(written))
