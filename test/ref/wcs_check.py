"""astropy.wcs's pixel <-> sky transformations for comparison with lib/io/wcs (1-based pixels, degrees).

usage: wcs_check.py < CASES_JSON
  CASES_JSON = [{"file": FITS or raw .hdr file, "hdu": index (FITS only), "key": alternate WCS letter or "",
                 "pixels": [[x, y], ...], "sky": [[ra, dec], ...]}, ...]
  -> [{"world": all_pix2world(pixels, 1), "pixels": all_world2pix(sky, 1) solved to 1e-11 pixel (null where it diverges),
       "foc2pix": the SIP AP/BP inverse alone (sip_foc2pix of wcs_world2pix), or null without AP/BP,
       "error": message when astropy cannot build the WCS}, ...]; NaN as null.
all_world2pix is asked for tolerance=1e-11 (default 1e-4) so that its iteration converges to rounding, as ours does.
"""
import json
import math
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS, NoConvergence

warnings.simplefilter("ignore")  # astropy's FITSFixedWarning notes (e.g. 'set MJD-OBS') do not change coordinates


def clean(a):
    return [[None if math.isnan(v) else v for v in row] for row in np.asarray(a, dtype=float).tolist()]


def load(case):
    if case["file"].endswith(".hdr"):
        with open(case["file"], "rb") as f:
            return WCS(fits.Header.fromstring(f.read().decode("latin1")), key=case.get("key") or " ")
    with fits.open(case["file"]) as hdul:
        return WCS(hdul[case.get("hdu", 0)].header, hdul, key=case.get("key") or " ")


def world2pix(w, sky):
    """all_world2pix to 1e-11 pixel; points astropy reports as diverging become null (its best guess is not kept)."""
    try:
        return clean(w.all_world2pix(sky, 1, tolerance=1e-11, maxiter=500))
    except NoConvergence as e:
        best = np.array(e.best_solution, dtype=float)
        if e.divergent is not None:
            best[e.divergent] = np.nan
        return clean(best)


out = []
for case in json.load(sys.stdin):
    try:
        w = load(case)
    except Exception as e:  # noqa: BLE001 - the message is what the test compares with
        out.append({"error": f"{type(e).__name__}: {e}"})
        continue
    if w.naxis > 2:
        w = w.celestial
    pix = np.array(case.get("pixels") or np.zeros((0, 2)), dtype=float).reshape(-1, 2)
    sky = np.array(case.get("sky") or np.zeros((0, 2)), dtype=float).reshape(-1, 2)
    r = {"world": clean(w.all_pix2world(pix, 1)) if len(pix) else []}
    r["pixels"] = world2pix(w, sky) if len(sky) else []
    r["foc2pix"] = None
    if w.sip is not None and w.sip.ap is not None and len(sky):
        # sip_foc2pix takes focal-plane offsets from CRPIX and returns 1-based pixels.
        r["foc2pix"] = clean(w.sip_foc2pix(w.wcs_world2pix(sky, 1) - w.sip.crpix, 1))
    out.append(r)
print(json.dumps(out))
