"""Compresses the image HDUs of FITS files with astropy, and writes astropy's reading of each result uncompressed,
so a reader of the compressed file can be compared with a plain file holding the same values.

usage: fits_compress.py TYPE QUANTIZE_LEVEL SUFFIX IN...
  -> IN without .fits + SUFFIX + ".fits.fz" (compressed) and + ".plain.fits" (astropy's values, uncompressed)
  TYPE: RICE_1 | GZIP_1 | GZIP_2 | PLIO_1; QUANTIZE_LEVEL 0 keeps floats lossless (GZIP only), else e.g. 16
"""
import sys
import warnings

from astropy.io import fits

warnings.simplefilter("ignore")
ctype, level, suffix = sys.argv[1], float(sys.argv[2]), sys.argv[3]
for src in sys.argv[4:]:
    stem = src[:-5] if src.endswith(".fits") else src
    compressed, plain = f"{stem}{suffix}.fits.fz", f"{stem}{suffix}.plain.fits"
    with fits.open(src) as hdul:
        hdus = [fits.PrimaryHDU(header=hdul[0].header if hdul[0].data is None else None)]
        for i, hdu in enumerate(hdul):
            if hdu.data is not None and hdu.is_image:
                hdus.append(fits.CompImageHDU(hdu.data, header=hdu.header, compression_type=ctype, quantize_level=level,
                                              quantize_method=1, dither_seed=1 + i, name=hdu.name if i else "SCI"))
        fits.HDUList(hdus).writeto(compressed, overwrite=True)
    with fits.open(compressed) as hdul:
        images = [fits.ImageHDU(h.data, header=h.header, name=h.name) for h in hdul[1:]]
        fits.HDUList([fits.PrimaryHDU()] + images).writeto(plain, overwrite=True)
