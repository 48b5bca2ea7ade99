// A one-line-per-HDU summary in the exact layout of astropy's `HDUList.info()` (hdu/hdulist.py), so that users
// see what they know, plus a structured form for programs.
import type { FitsFile, Hdu } from "./read";
import { dtypeName } from "./pixels";

export interface HduSummary {
  index: number;
  name: string;
  ver: number;
  /** astropy's class name: PrimaryHDU, ImageHDU, CompImageHDU, BinTableHDU, TableHDU. */
  type: string;
  cards: number;
  /** FITS order (NAXIS1 first); for tables [rows, columns]. */
  dimensions: number[];
  bitpix: number;
  /** astropy's Format column, e.g. "float32", "int16 (rescales to uint16)", "[E, 20A]". */
  format: string;
  /** Random groups only: GCOUNT and PCOUNT, in astropy's last column ("10 Groups  3 Parameters"). */
  groups?: { count: number; parameters: number };
}

/**
 * astropy 5.2's GroupsHDU test (hdu/groups.py match_header): the primary HDU with GROUPS = T, whatever NAXIS1 says
 * (e.g. astropy's own invalid/group_invalid.fits has NAXIS = 0).
 */
export function isRandomGroups(hdu: Hdu): boolean {
  return hdu.index === 0 && hdu.header.get("GROUPS") === true;
}

const CLASS: Record<string, string> = {
  PRIMARY: "PrimaryHDU",
  IMAGE: "ImageHDU",
  BINTABLE: "BinTableHDU",
  TABLE: "TableHDU",
};
const STORED: Record<number, string> = {
  8: "uint8",
  16: "int16",
  32: "int32",
  64: "int64",
  [-32]: "float32",
  [-64]: "float64",
};

/** One HDU as astropy's `info()` lists it, as fields (`starcluster fits info --json` prints them). */
export function hduSummary(hdu: Hdu): HduSummary {
  const type = hdu.tableHeader ? "CompImageHDU" : (CLASS[hdu.type] ?? hdu.type);
  // astropy lists EXTNAME as written ('Photometric', 'ccd00'); look-ups by name ignore case in both.
  const extname = hdu.header.get("EXTNAME");
  const name = typeof extname === "string" ? extname : hdu.name;
  const base = { index: hdu.index, name, ver: hdu.ver, type, cards: hdu.header.cards.length, bitpix: hdu.bitpix };
  // astropy's CompImageHDU lists the image's dimensions and BITPIX type, never "rescales to".
  if (hdu.tableHeader) return { ...base, dimensions: hdu.shape, format: STORED[hdu.bitpix] };
  if (hdu.type === "BINTABLE" || hdu.type === "TABLE") {
    const n = hdu.header.number("TFIELDS", 0)!;
    const forms = Array.from({ length: n }, (_, i) => String(hdu.header.get(`TFORM${i + 1}`)));
    return { ...base, dimensions: [hdu.shape[1], n], format: `[${forms.join(", ")}]` };
  }
  if (isRandomGroups(hdu)) {
    // As astropy's GroupsHDU._summary: the NAXIS1 = 0 axis dropped, the stored type (parameters and data share BITPIX).
    const dims = hdu.shape.slice(1);
    const groups = { count: hdu.header.number("GCOUNT", 1)!, parameters: hdu.header.number("PCOUNT", 0)! };
    const format = dims.length && dims.every((n) => n > 0) ? STORED[hdu.bitpix] : "";
    // astropy's GroupsHDU gives a header without axes NAXIS = 1 and inserts NAXIS1 = 0, one card more in its count.
    const cards = hdu.shape.length === 0 ? base.cards + 1 : base.cards;
    return { ...base, cards, type: "GroupsHDU", dimensions: dims, format, groups };
  }
  const shape = hdu.shape;
  let format = shape.length && shape.every((n) => n > 0) ? STORED[hdu.bitpix] : "";
  const s = hdu.scaling;
  // astropy names the rescaled type only when BSCALE/BZERO change an integer type (not for BLANK alone).
  if (format && hdu.bitpix > 0 && (s.bscale !== 1 || Number(s.bzero) !== 0)) format += ` (rescales to ${dtypeName(s)})`;
  return { ...base, dimensions: shape, format };
}

/** The text astropy's `fits.open(path).info()` prints. */
export function formatInfo(file: FitsFile): string {
  const lines = [`Filename: ${file.path}`, "No.    Name      Ver    Type      Cards   Dimensions   Format"];
  for (const hdu of file.hdus) {
    const s = hduSummary(hdu);
    const dims =
      s.type === "BinTableHDU" || s.type === "TableHDU"
        ? `${s.dimensions[0]}R x ${s.dimensions[1]}C`
        : `(${s.dimensions.join(", ")}${s.dimensions.length === 1 ? "," : ""})`;
    const groups = s.groups ? `${s.groups.count} Groups  ${s.groups.parameters} Parameters` : "";
    lines.push(
      `${String(s.index).padStart(3)}  ${s.name.padEnd(10)}  ${String(s.ver).padStart(3)} ${s.type.padEnd(11)}  ` +
        `${String(s.cards).padStart(5)}   ${dims}   ${s.format}   ${groups}`,
    );
  }
  return lines.join("\n") + "\n";
}
