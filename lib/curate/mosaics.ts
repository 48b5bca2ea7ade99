// The mosaics of one field, one per band: each file opened once (headers parsed, pixels left on disk for section
// reads), its image HDU chosen, and the set checked to share one pixel grid, since a stamp takes the same pixels
// from every band.
import * as fs from "node:fs";
import { Band, BANDS } from "../catalog/record";
import { FitsFile, Hdu, openFits } from "../io/fits/read";

/** Filters that fill a band's place, as in the LEGUS catalogs: ACS F435W for F438W, F606W for F555W. */
const STAND_INS: Record<string, Band> = { F435W: "F438W", F606W: "F555W" };

/** The band slot of a filter name (case-insensitive), or undefined if it is none of BANDS or their stand-ins. */
export function bandOf(filter: string): Band | undefined {
  const f = filter.trim().toUpperCase();
  return BANDS.includes(f as Band) ? (f as Band) : STAND_INS[f];
}

export interface MosaicSpec {
  /** The filter as given (F435W fills the F438W slot). */
  filter: string;
  path: string;
}

export interface BandMosaic {
  band: Band;
  filter: string;
  path: string;
  file: FitsFile;
  hdu: Hdu;
}

export interface MosaicSet {
  width: number;
  height: number;
  /** In BANDS order; null where no mosaic was given for the band. */
  bands: (BandMosaic | null)[];
  close(): void;
}

/** The image HDU of a mosaic: the primary array if it has one, else the SCI extension, else the first image extension. */
function imageHdu(file: FitsFile): Hdu {
  const images = file.hdus.filter((h) => (h.type === "PRIMARY" || h.type === "IMAGE") && h.shape.length > 0);
  const hdu = images.find((h) => h.index === 0) ?? images.find((h) => h.name === "SCI") ?? images[0];
  if (!hdu) throw new Error(`${file.path}: no image HDU with data`);
  if (hdu.shape.length !== 2)
    throw new Error(
      `${hdu.where}: a mosaic must be a 2-D image, this one is ${hdu.shape.join(" x ")} (NAXIS = ${hdu.shape.length})`,
    );
  hdu.assertImage();
  void hdu.scaling; // BSCALE, BZERO and BLANK checked now, before anything is written, not at the first stamp
  return hdu;
}

const WCS_KEYS = ["CRPIX1", "CRPIX2", "CRVAL1", "CRVAL2", "CD1_1", "CD1_2", "CD2_1", "CD2_2"];

/** The first WCS card that differs between two mosaics, for a warning (drizzled bands share one WCS). */
function wcsDifference(a: Hdu, b: Hdu): string | undefined {
  for (const key of WCS_KEYS) {
    const [va, vb] = [a.header.number(key), b.header.number(key)];
    if (va !== undefined && vb !== undefined && Math.abs(va - vb) > 1e-9 * Math.max(1, Math.abs(va)))
      return `${key} ${vb} vs ${va}`;
  }
  return undefined;
}

/** Opens every band's mosaic once; throws naming the file on a missing file, a bad HDU or a different pixel grid. */
export function openMosaics(specs: MosaicSpec[], warn: (message: string) => void): MosaicSet {
  const bands: (BandMosaic | null)[] = BANDS.map(() => null);
  const opened: FitsFile[] = [];
  const close = () => opened.forEach((f) => f.close());
  try {
    for (const spec of specs) {
      const band = bandOf(spec.filter);
      if (!band)
        throw new Error(
          `unknown band '${spec.filter}' for ${spec.path}; bands are ${BANDS.join(", ")} (F435W and F606W stand in for F438W and F555W)`,
        );
      if (bands[BANDS.indexOf(band)])
        throw new Error(`two mosaics for ${band}: ${bands[BANDS.indexOf(band)]!.path} and ${spec.path}`);
      if (!fs.existsSync(spec.path)) throw new Error(`${spec.path}: no such file (the ${band} mosaic)`);
      const file = openFits(spec.path);
      opened.push(file);
      bands[BANDS.indexOf(band)] = {
        band,
        filter: spec.filter.toUpperCase(),
        path: spec.path,
        file,
        hdu: imageHdu(file),
      };
    }
    const present = bands.filter((b): b is BandMosaic => b !== null);
    if (present.length === 0) throw new Error("no mosaic given");
    const [first] = present;
    const [width, height] = first.hdu.shape;
    for (const m of present.slice(1)) {
      const [w, h] = m.hdu.shape;
      if (w !== width || h !== height) {
        throw new Error(
          `${m.hdu.where}: the ${m.band} mosaic is ${w} x ${h} pixels but the ${first.band} mosaic ${first.path} is ${width} x ${height}: ` +
            "the mosaics of a field must share one pixel grid",
        );
      }
      const diff = wcsDifference(first.hdu, m.hdu);
      if (diff)
        warn(
          `${m.path}: WCS differs from the ${first.band} mosaic's (${diff}); stamps take the same pixels in every band, so check the mosaics are aligned`,
        );
    }
    return { width, height, bands, close };
  } catch (e) {
    close();
    throw e;
  }
}
