// Cutouts of every 2-D image HDU of a file around one position, written as a new FITS file: stored values,
// BITPIX and BSCALE/BZERO/BLANK are kept (so values are exact), WCS reference pixels are shifted, and
// provenance cards say where the cutout came from. The source is read by sections, never whole.
import * as path from "node:path";
import { FitsCard } from "./header";
import { Hdu, withFits } from "./read";
import { ImageData, ImageHdu, writeFits } from "./write";

export interface CutoutRequest {
  /** Centre in 1-based FITS pixel coordinates (x along NAXIS1). */
  x: number;
  y: number;
  /** Side in pixels; the centre pixel is at 0-based index floor(size / 2) of the cutout. */
  size: number;
  /** Only this HDU (index or EXTNAME); default every 2-D image HDU. */
  hdu?: number | string;
}

const DROP = new Set(["SIMPLE", "XTENSION", "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "EXTEND", "PCOUNT", "GCOUNT", "EXTNAME", "CHECKSUM", "DATASUM"]);

/** The source HDU's cards minus structure, with CRPIXn and LTVn moved to the cutout's pixel grid. */
function cutoutCards(hdu: Hdu, x0: number, y0: number): FitsCard[] {
  const shift: Record<string, number> = { CRPIX1: -x0, CRPIX2: -y0, LTV1: -x0, LTV2: -y0 };
  return hdu.header.cards.filter((c) => !DROP.has(c.key)).map((c) => (c.key in shift && typeof c.value === "number" ? { ...c, value: c.value + shift[c.key] } : c));
}

/** Largest cutout side: 2 x the image's longer side (a square centred anywhere on it, with room to spare). */
function checkSize(hdu: Hdu, size: number): void {
  const [w, h] = hdu.shape;
  if (size > 2 * Math.max(w, h)) throw new Error(`${hdu.where}: a ${size} x ${size} cutout is far larger than the ${w} x ${h} image; a side of at most ${2 * Math.max(w, h)}`);
}

function cutOne(hdu: Hdu, req: CutoutRequest, source: string): ImageHdu {
  checkSize(hdu, req.size);
  const x0 = Math.round(req.x) - 1 - Math.floor(req.size / 2);
  const y0 = Math.round(req.y) - 1 - Math.floor(req.size / 2);
  const section = hdu.section({ x0, y0, width: req.size, height: req.size }, { raw: true });
  const cards = cutoutCards(hdu, x0, y0);
  if (section.outside && hdu.bitpix > 0) {
    // Integer pixels outside the image must be marked with the BLANK value; without one they cannot be.
    const blank = hdu.header.get("BLANK");
    if (typeof blank !== "number" && typeof blank !== "bigint") {
      throw new Error(`${hdu.where}: the cutout crosses the image edge and this integer image has no BLANK value to mark pixels outside it`);
    }
    const data = section.data as ImageData;
    for (let i = 0; i < section.outside.length; i++) if (section.outside[i]) data[i] = (typeof data[0] === "bigint" ? BigInt(blank) : Number(blank)) as never;
  }
  cards.push(
    { key: "CUTFILE", value: path.basename(source), comment: "cutout source file" },
    { key: "CUTHDU", value: hdu.index, comment: "cutout source HDU" },
    { key: "CUTX0", value: x0 + 1, comment: "source pixel x of cutout pixel 1" },
    { key: "CUTY0", value: y0 + 1, comment: "source pixel y of cutout pixel 1" },
  );
  return { bitpix: hdu.bitpix, width: req.size, height: req.size, data: section.data as ImageData, cards, extname: hdu.name || undefined };
}

/** Writes the cutout(s) of `source` to `out` (atomically); returns the names of the HDUs cut. */
export function writeCutout(source: string, req: CutoutRequest, out: string): string[] {
  return withFits(source, (fits) => {
    const images = req.hdu !== undefined ? [fits.hdu(req.hdu)] : fits.hdus.filter((h) => (h.type === "PRIMARY" || h.type === "IMAGE") && h.shape.length === 2);
    if (images.length === 0) throw new Error(`${source}: no 2-D image HDU to cut`);
    const hdus = images.map((h) => cutOne(h, req, source));
    const date = { key: "DATE", value: new Date().toISOString().slice(0, 19), comment: "cutout written (UTC)" };
    const origin = { key: "ORIGIN", value: "starcluster fits cutout" };
    if (hdus.length === 1 && images[0].index === 0) {
      hdus[0].extname = undefined;
      hdus[0].cards = [...(hdus[0].cards ?? []).filter((c) => c.key !== "DATE" && c.key !== "ORIGIN"), origin, date];
      writeFits(out, hdus);
    } else {
      hdus.forEach((h, i) => (h.extname = h.extname === "PRIMARY" || !h.extname ? `HDU${images[i].index}` : h.extname));
      const primary = fits.hdus[0].shape.length === 0 ? cutoutCards(fits.hdus[0], 0, 0).filter((c) => c.key !== "DATE" && c.key !== "ORIGIN") : [];
      writeFits(out, hdus, [...primary, origin, date, { key: "CUTFILE", value: path.basename(source) }]);
    }
    return images.map((h) => h.name || `HDU${h.index}`);
  });
}
