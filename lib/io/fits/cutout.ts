// Cutouts of every 2-D image HDU of a file around one position, written as a new FITS file: stored values,
// BITPIX and BSCALE/BZERO/BLANK are kept (so values are exact), WCS reference pixels are shifted, and
// provenance cards say where the cutout came from. The source is read by sections, never whole.
import * as path from "node:path";
import { FitsCard } from "./header";
import { FitsFile, Hdu, withFits } from "./read";
import { ImageData, ImageHdu, STRUCTURAL, writeFits } from "./write";

export interface CutoutRequest {
  /** Centre in 1-based FITS pixel coordinates (x along NAXIS1). */
  x: number;
  y: number;
  /** Side in pixels; the centre pixel is at 0-based index floor(size / 2) of the cutout. */
  size: number;
  /**
   * Which HDUs: an index, an EXTNAME (every HDU of that name, e.g. each SCI of an HST FLT), or "EXTNAME,EXTVER"
   * (one, e.g. "SCI,2"); default every 2-D image HDU.
   */
  hdu?: number | string;
}

export interface CutoutResult {
  /** The HDUs cut, e.g. ["SCI,1", "ERR,1", "DQ,1"]. */
  hdus: string[];
  /** Why other HDUs were skipped, each naming file, HDU and reason (a cube, the position outside it, ...). */
  notes: string[];
}

/** "SCI,2" for a named HDU (astropy's (EXTNAME, EXTVER) key), "HDU 3" otherwise. */
function label(hdu: Hdu): string {
  return hdu.name && hdu.name !== "PRIMARY" ? `${hdu.name},${hdu.ver}` : `HDU ${hdu.index}`;
}

/** The HDUs `which` names (see CutoutRequest.hdu); throws naming the file when none match. */
function selectHdus(fits: FitsFile, which: number | string): Hdu[] {
  if (typeof which === "number") return [fits.hdu(which)];
  const m = /^\s*([^,]+?)\s*,\s*(\d+)\s*$/.exec(which);
  const name = (m ? m[1] : which.trim()).toUpperCase();
  const found = fits.hdus.filter((h) => h.name === name && (!m || h.ver === Number(m[2])));
  if (found.length === 0) {
    const have = fits.hdus.map(label).join(", ");
    throw new Error(
      `${fits.path}: no HDU ${m ? `with EXTNAME '${name}' and EXTVER ${m[2]}` : `named '${name}'`} (the file has ${have})`,
    );
  }
  return found;
}

/** Why `hdu` cannot be cut at `req`, or undefined when it can. */
function whyNot(hdu: Hdu, req: CutoutRequest): string | undefined {
  if (hdu.type !== "PRIMARY" && hdu.type !== "IMAGE") return `a ${hdu.type} extension, not an image`;
  if (hdu.header.get("GROUPS") === true) return "random-groups data, not an image";
  const shape = hdu.shape;
  if (shape.length === 0) return "no data";
  if (shape.length !== 2) return `a ${shape.length}-D image (${shape.join(" x ")}); only 2-D images are cut`;
  const [w, h] = shape;
  // The centre pixel must lie on the image: a small HST distortion array (D2IMARR, WCSDVARR) rarely holds it.
  if (Math.round(req.x) < 1 || Math.round(req.x) > w || Math.round(req.y) < 1 || Math.round(req.y) > h) {
    return `the position (${req.x}, ${req.y}) is outside its ${w} x ${h} image`;
  }
  return undefined;
}

/** The source HDU's cards minus structure, with CRPIXn and LTVn moved to the cutout's pixel grid. */
function cutoutCards(hdu: Hdu, x0: number, y0: number): FitsCard[] {
  const shift: Record<string, number> = { CRPIX1: -x0, CRPIX2: -y0, LTV1: -x0, LTV2: -y0 };
  return hdu.header.cards
    .filter((c) => !STRUCTURAL.has(c.key))
    .map((c) => (c.key in shift && typeof c.value === "number" ? { ...c, value: c.value + shift[c.key] } : c));
}

/** Largest cutout side: 2 x the image's longer side (a square centred anywhere on it, with room to spare). */
function checkSize(hdu: Hdu, size: number): void {
  const [w, h] = hdu.shape;
  if (size > 2 * Math.max(w, h))
    throw new Error(
      `${hdu.where}: a ${size} x ${size} cutout is far larger than the ${w} x ${h} image; a side of at most ${2 * Math.max(w, h)}`,
    );
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
      throw new Error(
        `${hdu.where}: the cutout crosses the image edge and this integer image has no BLANK value to mark pixels outside it`,
      );
    }
    const data = section.data as ImageData;
    for (let i = 0; i < section.outside.length; i++)
      if (section.outside[i]) data[i] = (typeof data[0] === "bigint" ? BigInt(blank) : Number(blank)) as never;
  }
  cards.push(
    { key: "CUTFILE", value: path.basename(source), comment: "cutout source file" },
    { key: "CUTHDU", value: hdu.index, comment: "cutout source HDU" },
    { key: "CUTX0", value: x0 + 1, comment: "source pixel x of cutout pixel 1" },
    { key: "CUTY0", value: y0 + 1, comment: "source pixel y of cutout pixel 1" },
  );
  return {
    bitpix: hdu.bitpix,
    width: req.size,
    height: req.size,
    data: section.data as ImageData,
    cards,
    extname: hdu.name || undefined,
  };
}

/**
 * Writes the cutout(s) of `source` to `out` (atomically). HDUs that cannot be cut (tables, cubes, images not
 * holding the position, integer images without BLANK when the square crosses their edge) are skipped with a note;
 * one HDU named by index or "EXTNAME,EXTVER" is an error instead, and so is nothing left to cut.
 */
export function writeCutout(source: string, req: CutoutRequest, out: string): CutoutResult {
  return withFits(source, (fits) => {
    const single = typeof req.hdu === "number" || (typeof req.hdu === "string" && req.hdu.includes(","));
    const candidates = req.hdu !== undefined ? selectHdus(fits, req.hdu) : fits.hdus;
    const notes: string[] = [...fits.warnings]; // e.g. a malformed card read past, as astropy
    const images: Hdu[] = [];
    const hdus: ImageHdu[] = [];
    for (const hdu of candidates) {
      const why = whyNot(hdu, req);
      if (why !== undefined) {
        if (single) throw new Error(`${hdu.file.path} HDU ${hdu.index} (${label(hdu)}): cannot cut: ${why}`);
        // Headers without data (an HST primary) are expected, not worth a note unless named.
        if (req.hdu !== undefined || why !== "no data")
          notes.push(`${hdu.file.path} HDU ${hdu.index} (${label(hdu)}): skipped, ${why}`);
        continue;
      }
      try {
        hdus.push(cutOne(hdu, req, source));
        images.push(hdu);
      } catch (e) {
        if (single) throw e;
        notes.push(`skipped: ${(e as Error).message}`); // the message already names file and HDU
      }
    }
    if (images.length === 0) {
      throw new Error(
        `${source}: no 2-D image HDU to cut at (${req.x}, ${req.y})${notes.length ? `:\n  ${notes.join("\n  ")}` : ""}`,
      );
    }
    const date = { key: "DATE", value: new Date().toISOString().slice(0, 19), comment: "cutout written (UTC)" };
    const origin = { key: "ORIGIN", value: "starcluster fits cutout" };
    if (hdus.length === 1 && images[0].index === 0) {
      hdus[0].extname = undefined;
      hdus[0].cards = [...(hdus[0].cards ?? []).filter((c) => c.key !== "DATE" && c.key !== "ORIGIN"), origin, date];
      writeFits(out, hdus);
    } else {
      hdus.forEach((h, i) => (h.extname = h.extname === "PRIMARY" || !h.extname ? `HDU${images[i].index}` : h.extname));
      const primary =
        fits.hdus[0].shape.length === 0
          ? cutoutCards(fits.hdus[0], 0, 0).filter((c) => c.key !== "DATE" && c.key !== "ORIGIN")
          : [];
      writeFits(out, hdus, [...primary, origin, date, { key: "CUTFILE", value: path.basename(source) }]);
    }
    return { hdus: images.map(label), notes };
  });
}
