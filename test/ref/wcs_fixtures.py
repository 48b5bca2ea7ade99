"""Writes FITS headers with astropy.wcs for the WCS comparison: each projection we support, the linear forms
(CDELT, PC + CDELT, CD, CROTA2), SIP with and without AP/BP, an alternate WCS, a field near the pole and one
across RA = 0.

usage: wcs_fixtures.py DIR  ->  writes DIR/*.fits (a small float32 image each) and prints
       [{"file", "naxis": [nx, ny]}] as JSON
"""
import json
import os
import sys

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS, Sip

out = sys.argv[1]
NX, NY = 300, 200
written = []


def save(name, header):
    hdu = fits.PrimaryHDU(np.zeros((NY, NX), dtype=np.float32), header=header)
    hdu.writeto(os.path.join(out, name), overwrite=True)
    written.append({"file": name, "naxis": [NX, NY]})


def celestial(code, crval=(150.1167, 2.2058), cdelt=0.2, rotation=0.0, **extra):
    w = WCS(naxis=2)
    w.wcs.ctype = [f"RA---{code}", f"DEC--{code}"]
    w.wcs.crval = crval
    w.wcs.crpix = [NX / 2 + 0.5, NY / 2 + 0.5]
    w.wcs.cdelt = [-cdelt, cdelt]
    r = np.radians(rotation)
    w.wcs.pc = [[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]]
    w.wcs.radesys = "ICRS"
    for k, v in extra.items():
        setattr(w.wcs, k, v)
    return w


# Every projection, wide fields (0.2 deg/px over 300 px) so that the projection's shape matters, rotated by 30 deg.
for code in ["TAN", "SIN", "STG", "ARC", "ZEA", "CAR", "MER", "CEA", "SFL", "AIT"]:
    save(f"proj-{code.lower()}.fits", celestial(code, rotation=30.0).to_header())
# Oblique cylindrical: reference point away from the equator, with LATPOLE choosing the pole.
save("car-oblique.fits", celestial("CAR", crval=(40.0, -35.0), latpole=-20.0).to_header())
w = celestial("SIN", crval=(83.6, 22.0))
w.wcs.set_pv([(2, 1, 0.12), (2, 2, -0.05)])
save("sin-synthesis.fits", w.to_header())
w = celestial("CEA", crval=(10.0, 5.0))
w.wcs.set_pv([(2, 1, 0.7)])
save("cea-lambda.fits", w.to_header())
# Near the pole and across RA = 0, at HST's scale.
save("tan-pole.fits", celestial("TAN", crval=(33.0, 89.995), cdelt=1.1e-5, rotation=-71.0).to_header())
save("tan-ra0.fits", celestial("TAN", crval=(0.0004, -12.0), cdelt=1.1e-5, rotation=12.0).to_header())
# FK5 with an equinox; LONPOLE given.
save("tan-fk5.fits", celestial("TAN", crval=(201.37, -43.02), cdelt=1e-4, radesys="FK5", equinox=2000.0, lonpole=170.0).to_header())

# CD matrix, as drizzled HST mosaics carry (astropy writes PC + CDELT; the CD header is written by hand).
h = celestial("TAN", crval=(24.17, 15.78), cdelt=1.1e-5).to_header()
for k in ["CDELT1", "CDELT2", "PC1_1", "PC1_2", "PC2_1", "PC2_2"]:
    h.remove(k, ignore_missing=True)
h["CD1_1"], h["CD1_2"], h["CD2_1"], h["CD2_2"] = -9.7e-6, 4.1e-6, 4.2e-6, 9.6e-6
save("tan-cd.fits", h)
# CROTA2 (the old AIPS rotation) with CDELT.
h = celestial("TAN", crval=(24.17, 15.78), cdelt=1.1e-5).to_header()
for k in ["PC1_1", "PC1_2", "PC2_1", "PC2_2"]:
    h.remove(k, ignore_missing=True)
h["CROTA2"] = 23.5
save("tan-crota.fits", h)

# SIP, forward only and with an inverse fit, as astropy writes them (to_header(relax=True)): random A/B moving
# the corners by a few pixels, and AP/BP fitted to invert them by least squares (as real headers' AP/BP are).
rng = np.random.default_rng(19)
TERMS = [(i, j) for i in range(5) for j in range(5 - i) if i + j >= 2]


def poly(scale):
    c = np.zeros((5, 5))
    for i, j in TERMS:
        c[i, j] = rng.normal(0, scale / 180.0 ** (i + j))
    return c


def fit_inverse(a, b, crpix):
    y, x = np.mgrid[-20:NY + 20:12j, -20:NX + 20:16j]
    u, v = x.ravel() - crpix[0], y.ravel() - crpix[1]
    fu = u + sum(a[i, j] * u**i * v**j for i, j in TERMS)
    fv = v + sum(b[i, j] * u**i * v**j for i, j in TERMS)
    design = np.stack([fu**i * fv**j for i, j in TERMS], axis=1)
    out = []
    for target in (u - fu, v - fv):
        coef = np.linalg.lstsq(design, target, rcond=None)[0]
        c = np.zeros((5, 5))
        for (i, j), k in zip(TERMS, coef):
            c[i, j] = k
        out.append(c)
    return out


for name, with_inverse in [("sip-ab.fits", False), ("sip-apbp.fits", True)]:
    w = celestial("TAN", crval=(5.63, -72.05), cdelt=1.4e-5, rotation=-95.0)
    a, b = poly(3.0), poly(3.0)
    ap, bp = fit_inverse(a, b, w.wcs.crpix) if with_inverse else (None, None)
    w.sip = Sip(a, b, ap, bp, w.wcs.crpix)
    w.wcs.ctype = ["RA---TAN-SIP", "DEC--TAN-SIP"]
    save(name, w.to_header(relax=True))

# An alternate WCS 'A' beside the primary one.
h = celestial("TAN", crval=(24.17, 15.78), cdelt=1.1e-5).to_header()
h.update(celestial("ZEA", crval=(24.2, 15.7), cdelt=2e-5, rotation=8.0).to_header(key="A"))
save("alt-a.fits", h)
print(json.dumps(written))
