// Writing a kept stamp as a MEF (layout in manifest.ts): provenance in the primary header; per band the mosaic's
// WCS and photometric keywords with the reference pixel moved to the stamp, where the stamp was cut (each band at its
// own origin: an RA/Dec catalog places the object through each band's WCS), and what was zero-filled. Cards that do not change between stamps are built once per field.
import * as path from "node:path";
import { BANDS, CatalogRecord } from "../catalog/record";
import { FitsCard } from "../io/fits/header";
import { ImageHdu, writeFits } from "../io/fits/write";
import { percentEscape } from "../util/escape";
import { softwareVersion } from "../util/version";
import type { MosaicSet } from "./mosaics";
import type { Placement } from "./placement";
import type { KeptStamp } from "./stamp";

type PlacedObject = Extract<Placement, { status: "placed" }>;

/** Mosaic cards worth keeping beside a stamp: instrument and photometry, the linear WCS, IRAF physical pixels. */
const COPIED = [
  "TELESCOP",
  "INSTRUME",
  "DETECTOR",
  "FILTER",
  "FILTER1",
  "FILTER2",
  "EXPTIME",
  "BUNIT",
  "PHOTMODE",
  "PHOTFLAM",
  "PHOTFNU",
  "PHOTPLAM",
  "PHOTBW",
  "PHOTZPT",
  "CTYPE1",
  "CTYPE2",
  "CUNIT1",
  "CUNIT2",
  "CRVAL1",
  "CRVAL2",
  "CRPIX1",
  "CRPIX2",
  "CD1_1",
  "CD1_2",
  "CD2_1",
  "CD2_2",
  "CDELT1",
  "CDELT2",
  "PC1_1",
  "PC1_2",
  "PC2_1",
  "PC2_2",
  "RADESYS",
  "EQUINOX",
  "LONPOLE",
  "LATPOLE",
  "LTV1",
  "LTV2",
  "LTM1_1",
  "LTM2_2",
];
/** Cards counted in mosaic pixels: shifted by the stamp's origin. */
const SHIFT_X = new Set(["CRPIX1", "LTV1"]);
const SHIFT_Y = new Set(["CRPIX2", "LTV2"]);

/** FITS strings are printable ASCII: other characters (ids, file names) and '%' are %-escaped. */
const ascii = (text: string) => percentEscape(text, /[^\x20-\x7e]|%/gu);

/**
 * The DATE written into stamps: SOURCE_DATE_EPOCH (the reproducible-builds convention) if set, else the date the
 * curation started (`resumed`, from an earlier run into the same folder), else now.
 */
export function stampDate(resumed?: string): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && !/^\d+$/.test(epoch))
    throw new Error(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${epoch}'`);
  if (epoch === undefined && resumed) return resumed;
  return new Date(epoch !== undefined ? Number(epoch) * 1000 : Date.now()).toISOString().slice(0, 19);
}

export interface StampContext {
  field: string;
  size: number;
  catalog: string;
  mosaics: MosaicSet;
  date: string;
}

export class StampWriter {
  private readonly bandCards: FitsCard[][];
  private readonly fieldCards: FitsCard[];

  constructor(private readonly ctx: StampContext) {
    this.bandCards = ctx.mosaics.bands.map((m) => {
      if (!m) return [];
      const cards = COPIED.flatMap((key) => m.hdu.header.cards.filter((c) => c.key === key).slice(0, 1));
      if (!cards.some((c) => c.key === "FILTER")) cards.unshift({ key: "FILTER", value: m.filter });
      return [
        ...cards,
        { key: "MOSAIC", value: ascii(path.basename(m.path)), comment: "mosaic this band was cut from" },
        { key: "MOSHDU", value: m.hdu.index, comment: "HDU of that mosaic" },
      ];
    });
    this.fieldCards = [
      { key: "STAMPSZ", value: ctx.size, comment: "stamp side (pixels)" },
      { key: "CATALOG", value: ascii(path.basename(ctx.catalog)), comment: "source catalog" },
      ...ctx.mosaics.bands.flatMap((m, b) =>
        m ? [{ key: `MOS${BANDS[b]}`, value: ascii(path.basename(m.path)), comment: `${BANDS[b]} mosaic` }] : [],
      ),
      { key: "CREATOR", value: `${softwareVersion()} curate`, comment: "software that wrote this stamp" },
      { key: "DATE", value: ctx.date, comment: "curation date (UTC)" },
    ];
  }

  /** Writes one kept stamp; `place` is where the object was placed (placement.ts), each band cut at its own origin. */
  write(file: string, record: CatalogRecord, stamp: KeptStamp, place: PlacedObject): void {
    const { size } = this.ctx;
    const half = Math.floor(size / 2);
    const hdus: ImageHdu[] = BANDS.map((band, b) => {
      const { x0, y0 } = stamp.origins[b];
      const cards = this.bandCards[b].map((c) => {
        const shift = SHIFT_X.has(c.key) ? x0 : SHIFT_Y.has(c.key) ? y0 : 0;
        return shift && typeof c.value === "number"
          ? { ...c, value: c.value - shift, comment: "moved to the stamp's pixel grid" }
          : c;
      });
      cards.push(
        { key: "CUTX0", value: x0 + 1, comment: "mosaic x (1-based) of stamp pixel x = 1" },
        { key: "CUTY0", value: y0 + 1, comment: "mosaic y (1-based) of stamp pixel y = 1" },
      );
      const own = place.bands[b];
      if (place.sky && own) {
        cards.push(
          { key: "OBJX", value: own.x, comment: "object x in this mosaic (from RA/Dec, its WCS)" },
          { key: "OBJY", value: own.y, comment: "object y in this mosaic (from RA/Dec, its WCS)" },
        );
      }
      if (stamp.missingBand === band)
        cards.push({ key: "MISSING", value: true, comment: "no coverage here: every pixel set to 0" });
      if (stamp.zeroed[b] > 0)
        cards.push({ key: "NODATA", value: stamp.zeroed[b], comment: "pixels without data set to 0 (--pad)" });
      return { bitpix: -32, width: size, height: size, data: stamp.bands[b], cards, extname: band };
    });
    const primary: FitsCard[] = [
      { key: "FIELD", value: this.ctx.field, comment: "field" },
      { key: "OBJID", value: ascii(record.id), comment: "catalog id (non-ASCII and % escaped)" },
      ...this.positionCards(place),
      { key: "CENX", value: stamp.x0 + half + 1, comment: `mosaic x of stamp pixel x = ${half + 1} (the centre)` },
      { key: "CENY", value: stamp.y0 + half + 1, comment: `mosaic y of stamp pixel y = ${half + 1} (the centre)` },
      { key: "CLASS", value: record.class ?? 0, comment: "human class 1-4; 0 = not classified" },
      ...(record.detectedBands !== null
        ? [{ key: "DETBANDS", value: record.detectedBands, comment: "bands with a detection (catalog)" }]
        : []),
      ...(stamp.missingBand
        ? [{ key: "MISSBAND", value: stamp.missingBand, comment: "band without coverage, zero-filled" }]
        : []),
      ...(stamp.zeroed.some((n) => n > 0)
        ? [{ key: "PADDED", value: true, comment: "pixels without data set to 0 (--pad)" }]
        : []),
      { key: "CATROW", value: record.source.line, comment: "line (table row for FITS) in the catalog" },
      ...this.fieldCards,
    ];
    writeFits(file, hdus, primary);
  }

  /** X, Y: the catalog's pixel, or for an RA/Dec catalog RA, DEC and the reference band's pixel. */
  private positionCards(place: PlacedObject): FitsCard[] {
    if (!place.sky) {
      return [
        { key: "X", value: place.x, comment: "catalog x (1-based mosaic pixel)" },
        { key: "Y", value: place.y, comment: "catalog y (1-based mosaic pixel)" },
      ];
    }
    return [
      { key: "RA", value: place.sky.ra, comment: "[deg] catalog RA" },
      { key: "DEC", value: place.sky.dec, comment: "[deg] catalog Dec" },
      { key: "X", value: place.x, comment: `x in the ${place.sky.band} mosaic (1-based), from RA/Dec` },
      { key: "Y", value: place.y, comment: `y in the ${place.sky.band} mosaic (1-based), from RA/Dec` },
    ];
  }
}
