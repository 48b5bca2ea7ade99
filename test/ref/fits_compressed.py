"""Writes tile-compressed images with astropy (fits.CompImageHDU, cfitsio underneath) for the compressed reader's
test: every compression type astropy writes, every integer width, unsigned and scaled integers, floats quantised
with NO_DITHER / SUBTRACTIVE_DITHER_1 / SUBTRACTIVE_DITHER_2 at relative and absolute levels, lossless floats,
row and 2-D tiles with partial edge tiles, a cube, a compressed primary header and checksums.

usage: fits_compressed.py DIR  ->  writes DIR/*.fits and prints [{"file", "type", "note"}] as JSON
"""
import json
import os
import sys
import warnings

import numpy as np
from astropy.io import fits

warnings.simplefilter("ignore")  # astropy notes the defaults it fills in; they are what is being tested
out = sys.argv[1]
rng = np.random.default_rng(1919)
H, W = 45, 70  # 2-D tiles of 16 x 16 leave partial tiles on both edges
written = []


def save(name, hdus, type_, note, **kw):
    fits.HDUList([fits.PrimaryHDU(), *hdus]).writeto(os.path.join(out, name), overwrite=True, **kw)
    written.append({"file": name, "type": type_, "note": note})


def ints(dtype, lo=None, hi=None):
    info = np.iinfo(dtype)
    return rng.integers(info.min if lo is None else lo, info.max if hi is None else hi, size=(H, W), dtype=dtype, endpoint=True)


def sky(shape=(H, W)):
    """A smooth background with stars and noise, like a mosaic: what quantisation is designed for."""
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    img = 100 + 0.3 * x + rng.normal(0, 3, shape)
    for _ in range(6):
        cy, cx = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        img += rng.uniform(50, 5000) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 3.0)
    return img


smooth16 = np.clip(sky(), -32768, 32767).astype(np.int16)
for ct in ["RICE_1", "GZIP_1", "GZIP_2", "PLIO_1"]:
    rows = np.abs(smooth16) if ct == "PLIO_1" else smooth16
    save(f"i16-{ct.lower()}-rows.fits", [fits.CompImageHDU(rows, compression_type=ct, name="SCI")], ct, "int16, row tiles")
    # PLIO_1 is for masks: astropy 5.2 overruns its buffer (and crashes) on noisy data, so it gets the smooth image.
    save(f"i16-{ct.lower()}-tiles.fits", [fits.CompImageHDU(np.abs(smooth16) if ct == "PLIO_1" else ints(np.int16), compression_type=ct,
                                                           tile_size=(16, 16))], ct, "int16, 16 x 16 tiles with partial edge tiles")
save("u8-rice.fits", [fits.CompImageHDU(ints(np.uint8), compression_type="RICE_1", tile_size=(16, 16))], "RICE_1", "uint8 (BYTEPIX 1)")
save("u8-gzip1.fits", [fits.CompImageHDU(ints(np.uint8), compression_type="GZIP_1")], "GZIP_1", "uint8")
save("i32-rice.fits", [fits.CompImageHDU(ints(np.int32), compression_type="RICE_1", tile_size=(16, 16))], "RICE_1", "int32 (BYTEPIX 4)")
save("i32-gzip2.fits", [fits.CompImageHDU(ints(np.int32), compression_type="GZIP_2", tile_size=(32, 8))], "GZIP_2", "int32 byte-shuffled")
save("i32-plio.fits", [fits.CompImageHDU((np.abs(smooth16).astype(np.int32) * 500), compression_type="PLIO_1")], "PLIO_1",
     "int32 up to 2^24 (values above 4095 need PLIO's two-word set-value code)")
mask = ((rng.random((H, W)) < 0.1) * rng.integers(1, 5000, (H, W))).astype(np.int32)
save("mask-plio.fits", [fits.CompImageHDU(mask, compression_type="PLIO_1", tile_size=(70, 5))], "PLIO_1", "a sparse mask (long zero runs)")
save("u16-rice.fits", [fits.CompImageHDU(ints(np.uint16), compression_type="RICE_1", uint=True)], "RICE_1", "uint16 (BZERO 32768)")
save("u16-gzip1.fits", [fits.CompImageHDU(ints(np.uint16), compression_type="GZIP_1", uint=True)], "GZIP_1", "uint16 (BZERO 32768)")
scaled = fits.CompImageHDU(smooth16, compression_type="RICE_1", do_not_scale_image_data=True)
scaled.header["BSCALE"], scaled.header["BZERO"] = 0.25, 1000.5
save("i16-scaled.fits", [scaled], "RICE_1", "int16 with BSCALE/BZERO")

f32 = sky().astype(np.float32)
for method, code in [("NO_DITHER", -1), ("SUBTRACTIVE_DITHER_1", 1), ("SUBTRACTIVE_DITHER_2", 2)]:
    for ct in ["RICE_1", "GZIP_1", "GZIP_2"]:
        hdu = fits.CompImageHDU(f32, compression_type=ct, quantize_method=code, dither_seed=1 + code * 777)
        save(f"f32-{ct.lower()}-{method.lower()}.fits", [hdu], ct, f"float32 quantised, {method}")
zeros = f32.copy()
zeros[5:9, 10:40] = 0.0
save("f32-rice-sd2-zeros.fits",
     [fits.CompImageHDU(zeros, compression_type="RICE_1", quantize_method=2, dither_seed=4242, tile_size=(16, 16))],
     "RICE_1", "float32 SUBTRACTIVE_DITHER_2 keeps exact zeros, 2-D tiles")
save("f32-rice-absolute.fits",
     [fits.CompImageHDU(f32, compression_type="RICE_1", quantize_level=-0.05, quantize_method=1, dither_seed=10000)], "RICE_1",
     "float32, absolute quantisation step 0.05, ZDITHER0 = 10000 (wraps the random table)")
save("f32-rice-clock-seed.fits", [fits.CompImageHDU(f32, compression_type="RICE_1", quantize_method=1, tile_size=(7, 3))],
     "RICE_1", "float32 SUBTRACTIVE_DITHER_1 with the seed astropy picks, 7 x 3 tiles (210 rows, beyond table wrap checks)")
const = f32.copy()
const[16:32, :] = 7.25  # tiles that cannot be quantised (no noise) go to GZIP_COMPRESSED_DATA losslessly
save("f32-rice-fallback.fits", [fits.CompImageHDU(const, compression_type="RICE_1", tile_size=(70, 16), quantize_method=1, dither_seed=99)],
     "RICE_1", "float32 with constant tiles stored losslessly in GZIP_COMPRESSED_DATA")
for ct in ["GZIP_1", "GZIP_2"]:
    save(f"f32-{ct.lower()}-lossless.fits", [fits.CompImageHDU(f32, compression_type=ct, quantize_level=0.0)], ct,
         "float32 lossless (NOISEBIT 0)")
f64 = sky().astype(np.float64)
save("f64-rice-sd1.fits", [fits.CompImageHDU(f64, compression_type="RICE_1", quantize_method=1, dither_seed=555)], "RICE_1",
     "float64 quantised")
save("f64-gzip2-lossless.fits", [fits.CompImageHDU(f64, compression_type="GZIP_2", quantize_level=0.0, tile_size=(16, 16))],
     "GZIP_2", "float64 lossless")
cube = np.stack([sky().astype(np.float32) for _ in range(3)])
save("cube-rice.fits", [fits.CompImageHDU(cube, compression_type="RICE_1", quantize_method=1, dither_seed=77)], "RICE_1",
     "3-D cube, one tile per row")
save("cube-gzip2-tiles.fits", [fits.CompImageHDU((cube * 10).astype(np.int16), compression_type="GZIP_2", tile_size=(16, 16, 2))],
     "GZIP_2", "3-D int16 cube, 16 x 16 x 2 tiles")
hdr = fits.PrimaryHDU(smooth16).header
hdr["OBSERVER"] = ("someone", "a card kept")
hdr.add_history("processed")
save("primary-header.fits", [fits.CompImageHDU(smooth16, header=hdr, compression_type="GZIP_1", name="PRIMARYLIKE")], "GZIP_1",
     "a compressed primary header (ZSIMPLE) with checksums", checksum=True)
several = [fits.CompImageHDU(sky().astype(np.float32), compression_type="RICE_1", name=band, quantize_method=1, dither_seed=3 + b)
           for b, band in enumerate(["F275W", "F336W", "F438W"])]
save("mef.fits", [*several, fits.ImageHDU(smooth16, name="PLAIN")], "RICE_1", "three compressed bands and a plain image")
# NaN in a quantised image. astropy 5.2 loses it when writing (the NaN pixel is quantised to an arbitrary value and
# no ZBLANK is written): both readers return that value. cfitsio (fpack) writes the blank's stored value as ZBLANK;
# that is mimicked by adding ZBLANK = the NaN pixel's stored value (found from astropy's NO_DITHER reading,
# q = (value - ZZERO) / ZSCALE, exact in float64): astropy 5.2 still returns the dequantised value, the standard NaN.
nan = f64.copy()
nan[20, 33] = np.nan
save("f64-nan.fits", [fits.CompImageHDU(nan, compression_type="RICE_1", quantize_method=-1)], "RICE_1",
     "float64 with a NaN as astropy 5.2 writes it (no ZBLANK)")
with fits.open(os.path.join(out, "f64-nan.fits")) as hdul:
    garbage = float(hdul[1].data[20, 33])
with fits.open(os.path.join(out, "f64-nan.fits"), disable_image_compression=True) as hdul:
    row = hdul[1].data[20]  # one tile per image row
    hdul[1].header["ZBLANK"] = (int(round((garbage - row["ZZERO"]) / row["ZSCALE"])), "null value in the compressed integer array")
    hdul.writeto(os.path.join(out, "f64-nan-zblank.fits"), overwrite=True)
written.append({"file": "f64-nan-zblank.fits", "type": "RICE_1", "note": "float64 with a NaN marked by ZBLANK, as cfitsio writes it"})
# HCOMPRESS_1: cfitsio's 32-bit decoder (8- and 16-bit images) and its 64-bit one (32-bit images, quantised floats).
noise16 = ints(np.int16)
hcompress = [
    ("hc-i16.fits", fits.CompImageHDU(smooth16, compression_type="HCOMPRESS_1"), "int16, lossless, 70 x 16 tiles"),
    ("hc-i16-noise.fits", fits.CompImageHDU(noise16, compression_type="HCOMPRESS_1"), "int16 full-range noise (negative tile sums)"),
    ("hc-i16-lossy.fits", fits.CompImageHDU(smooth16, compression_type="HCOMPRESS_1", hcomp_scale=2.5), "int16, lossy (SCALE 2.5)"),
    ("hc-i16-tiles.fits", fits.CompImageHDU(smooth16, compression_type="HCOMPRESS_1", tile_size=[23, 13]), "int16, odd 23 x 13 tiles"),
    ("hc-u8.fits", fits.CompImageHDU(np.clip(smooth16, 0, 255).astype(np.uint8), compression_type="HCOMPRESS_1"), "uint8"),
    ("hc-i32.fits", fits.CompImageHDU(smooth16.astype(np.int32) * 70000, compression_type="HCOMPRESS_1"), "int32 (64-bit decoder)"),
    ("hc-f32-sd1.fits", fits.CompImageHDU(f32, compression_type="HCOMPRESS_1", quantize_method=1, dither_seed=12),
     "float32 quantised, SUBTRACTIVE_DITHER_1 (64-bit decoder)"),
    ("hc-f32-no-dither.fits", fits.CompImageHDU(f32, compression_type="HCOMPRESS_1", quantize_method=-1), "float32 quantised, NO_DITHER"),
    ("hc-smooth.fits", fits.CompImageHDU(smooth16, compression_type="HCOMPRESS_1", hcomp_smooth=1, hcomp_scale=2),
     "SMOOTH = 1: refused by name"),
]
for name, hdu, note in hcompress:
    save(name, [hdu], "HCOMPRESS_1", note)
print(json.dumps(written))
