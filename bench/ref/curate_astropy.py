"""astropy side of bench:curate: the same curation as `starcluster curate` with astropy and numpy.

For every catalog object: 50x50 cutouts of the five memory-mapped mosaics around the pixel containing the
position, the same checks (stamp inside the mosaic; per band, pixels without data: NaN or whole rows/columns of
0/NaN), a MEF with the same provenance cards (primary) and per-band cards (WCS and photometry copied with CRPIX
moved, CUTX0/CUTY0), written atomically (temporary file, fsync, rename) as ours; then the manifest CSV.

usage: curate_astropy.py MOSAICS_JSON CATALOG_CSV OUT SIZE  -> JSON {"seconds", "stamps", "maxrss_kb"}
"""
import csv
import datetime
import json
import math
import os
import resource
import sys
import time

import numpy as np
from astropy.io import fits

BANDS = ["F275W", "F336W", "F438W", "F555W", "F814W"]
COPIED = ["TELESCOP", "INSTRUME", "DETECTOR", "FILTER", "FILTER1", "FILTER2", "EXPTIME", "BUNIT", "PHOTMODE", "PHOTFLAM", "PHOTFNU",
          "PHOTPLAM", "PHOTBW", "PHOTZPT", "CTYPE1", "CTYPE2", "CUNIT1", "CUNIT2", "CRVAL1", "CRVAL2", "CRPIX1", "CRPIX2", "CD1_1", "CD1_2",
          "CD2_1", "CD2_2", "CDELT1", "CDELT2", "PC1_1", "PC1_2", "PC2_1", "PC2_2", "RADESYS", "EQUINOX", "LONPOLE", "LATPOLE", "LTV1", "LTV2",
          "LTM1_1", "LTM2_2"]

mosaics, catalog, out, size = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
t0 = time.perf_counter()
hduls = [fits.open(mosaics[b], memmap=True) for b in BANDS]
data = [h[0].data for h in hduls]
cards = [[(k, h[0].header[k]) for k in COPIED if k in h[0].header] for h in hduls]
height, width = data[0].shape
with open(catalog, newline="") as f:
    objects = list(csv.DictReader(f))
field, half, date = "BENCH", size // 2, datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S")
stamps = os.path.join(out, "stamps", field)
os.makedirs(stamps, exist_ok=True)
manifest, kept = [], 0
for obj in objects:
    x, y = float(obj["x"]), float(obj["y"])
    x0, y0 = math.floor(x + 0.5) - 1 - half, math.floor(y + 0.5) - 1 - half
    row = {"field": field, "id": obj["id"], "x": obj["x"], "y": obj["y"], "class": obj["class"], "status": "dropped", "reason": "", "missing_band": "", "stamp": ""}
    manifest.append(row)
    if x0 < 0 or y0 < 0 or x0 + size > width or y0 + size > height:
        row["reason"] = "stamp crosses the mosaic edge"
        continue
    cuts, missing, nodata = [], [], []
    for b, band in enumerate(BANDS):
        cut = np.array(data[b][y0:y0 + size, x0:x0 + size], dtype=np.float32)
        empty = (cut == 0) | np.isnan(cut)
        mask = np.isnan(cut) | empty.all(axis=1)[:, None] | empty.all(axis=0)[None, :]
        if mask.all():
            missing.append(band)
            cut = np.zeros((size, size), np.float32)
        elif mask.any():
            nodata.append(f"{band} {int(mask.sum())}")
        cuts.append(cut)
    if len(missing) > 1 or nodata:
        row["reason"] = f"{len(missing)} bands without coverage: {', '.join(missing)}" if len(missing) > 1 else "pixels without data: " + ", ".join(nodata)
        continue
    primary = fits.PrimaryHDU()
    h = primary.header
    h["FIELD"], h["OBJID"], h["X"], h["Y"] = field, obj["id"], x, y
    h["CENX"], h["CENY"], h["CLASS"] = x0 + half + 1, y0 + half + 1, int(obj["class"] or 0)
    if missing:
        h["MISSBAND"] = missing[0]
    h["STAMPSZ"], h["CATALOG"] = size, os.path.basename(catalog)
    for band in BANDS:
        h[f"MOS{band}"] = os.path.basename(mosaics[band])
    h["CREATOR"], h["DATE"] = "astropy bench", date
    hdus = [primary]
    for b, band in enumerate(BANDS):
        ext = fits.ImageHDU(cuts[b], name=band)
        for key, value in cards[b]:
            ext.header[key] = value - x0 if key in ("CRPIX1", "LTV1") else value - y0 if key in ("CRPIX2", "LTV2") else value
        ext.header["MOSAIC"], ext.header["CUTX0"], ext.header["CUTY0"] = os.path.basename(mosaics[band]), x0 + 1, y0 + 1
        if band in missing:
            ext.header["MISSING"] = True
        hdus.append(ext)
    name = os.path.join(stamps, f"{obj['id']}.fits")
    tmp = os.path.join(stamps, f".{obj['id']}.fits.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        fits.HDUList(hdus).writeto(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, name)
    row.update(status="kept", missing_band=missing[0] if missing else "", stamp=f"stamps/{field}/{obj['id']}.fits")
    kept += 1
tmp = os.path.join(out, f".manifest.csv.{os.getpid()}.tmp")
with open(tmp, "w", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=list(manifest[0].keys()))
    writer.writeheader()
    writer.writerows(manifest)
    f.flush()
    os.fsync(f.fileno())
os.replace(tmp, os.path.join(out, "manifest.csv"))
for h in hduls:
    h.close()
print(json.dumps({"seconds": time.perf_counter() - t0, "stamps": kept, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
