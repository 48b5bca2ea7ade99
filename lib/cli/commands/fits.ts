// `starcluster fits info FILE` (astropy's info() table), `starcluster fits cutout FILE --x --y --size --out` and
// `starcluster fits wcs FILE --pixel X,Y | --sky RA,DEC` (astropy's all_pix2world / all_world2pix, 1-based).
import { formatInfo, Hdu, hduSummary, withFits, writeCutout } from "../../io/fits";
import { hduWcs } from "../../io/wcs";
import { UsageError } from "../args";
import { defineCommand } from "../command";

export const fitsInfoCommand = defineCommand({
  name: "fits info",
  summary: "List the HDUs of a FITS file like astropy's info(): index, name, version, type, cards, dimensions, format.",
  args: "FILE",
  positionals: [1, 1],
  options: {
    json: { type: "boolean", help: "print one JSON object per HDU (with BITPIX) instead of the table" },
  },
  async run({ positionals: [file], options }) {
    withFits(file, (fits) => {
      for (const warning of fits.warnings) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write(
        options.json ? fits.hdus.map((h) => JSON.stringify(hduSummary(h))).join("\n") + "\n" : formatInfo(fits),
      );
    });
  },
});

export const fitsCutoutCommand = defineCommand({
  name: "fits cutout",
  summary:
    "Cut a square around (x, y) (1-based FITS pixels) out of every 2-D image HDU and write it as FITS (one extension per HDU).",
  args: "FILE",
  positionals: [1, 1],
  options: {
    x: { type: "number", required: true, help: "centre x (1-based, along NAXIS1)" },
    y: { type: "number", required: true, help: "centre y (1-based, along NAXIS2)" },
    size: { type: "integer", min: 1, default: 50, help: "side of the square in pixels" },
    out: { type: "string", required: true, help: "output FITS file (written atomically)" },
    hdu: {
      type: "string",
      help: "only this HDU: index, EXTNAME (every HDU of that name) or EXTNAME,EXTVER (e.g. SCI,2)",
    },
  },
  async run({ positionals: [file], options }) {
    const hdu = options.hdu === undefined ? undefined : /^\d+$/.test(options.hdu) ? Number(options.hdu) : options.hdu;
    if (options.out === file) throw new UsageError("--out must differ from the input file");
    const result = writeCutout(file, { x: options.x, y: options.y, size: options.size, hdu }, options.out);
    for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
    const what = `${options.size}x${options.size} cutout at (${options.x}, ${options.y})`;
    process.stdout.write(`${options.out}: ${what} of ${result.hdus.join(", ")}\n`);
  },
});

/** "X,Y" -> two finite numbers, or a usage error naming the option. */
function pair(option: string, text: string): [number, number] {
  const parts = text.split(",").map((t) => Number(t.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite)) {
    throw new UsageError(`--${option} takes two numbers separated by a comma, got '${text}'`);
  }
  return parts as [number, number];
}

/** The HDU named by --hdu, else the first HDU with a celestial WCS (CTYPE1 = RA---xxx). */
function wcsHdu(hdus: Hdu[], file: string, which: string | undefined): Hdu {
  if (which !== undefined) return hdus[0].file.hdu(/^\d+$/.test(which) ? Number(which) : which);
  const hdu = hdus.find((h) => /^RA--/i.test(String(h.header.get("CTYPE1") ?? "")));
  if (!hdu) throw new Error(`${file}: no HDU has a celestial WCS (CTYPE1 = 'RA---xxx'); name one with --hdu`);
  return hdu;
}

export const fitsWcsCommand = defineCommand({
  name: "fits wcs",
  summary:
    "Convert a 1-based FITS pixel to RA, Dec (degrees) or back through an HDU's celestial WCS (TAN/SIN/ZEA/ARC/CAR/..., SIP).",
  args: "FILE",
  positionals: [1, 1],
  options: {
    pixel: { type: "string", help: "X,Y: 1-based pixel (x along NAXIS1) to convert to sky" },
    sky: { type: "string", help: "RA,DEC in degrees to convert to a 1-based pixel" },
    hdu: { type: "string", help: "HDU index or EXTNAME (default: the first with a celestial WCS)" },
    json: { type: "boolean", help: "print a JSON object instead of text" },
  },
  async run({ positionals: [file], options }) {
    if ((options.pixel === undefined) === (options.sky === undefined)) {
      throw new UsageError("give exactly one of --pixel X,Y and --sky RA,DEC");
    }
    withFits(file, (fits) => {
      const hdu = wcsHdu(fits.hdus, file, options.hdu);
      const wcs = hduWcs(hdu);
      let result: { hdu: number; x: number; y: number; ra: number; dec: number };
      let text: string;
      if (options.pixel !== undefined) {
        const [x, y] = pair("pixel", options.pixel);
        const [ra, dec] = wcs.pixelToSky(x, y);
        result = { hdu: hdu.index, x, y, ra, dec };
        text = `${hdu.where}: pixel (${x}, ${y}) -> RA ${ra}, Dec ${dec} (degrees, ${wcs.definition.frame})`;
      } else {
        const [ra, dec] = pair("sky", options.sky!);
        const [x, y] = wcs.skyToPixel(ra, dec);
        result = { hdu: hdu.index, x, y, ra, dec };
        text = `${hdu.where}: RA ${ra}, Dec ${dec} -> pixel (${x}, ${y})`;
      }
      const json = `${JSON.stringify({ ...result, wcs: wcs.describe() })}\n`;
      process.stdout.write(options.json ? json : `${text}\n  WCS: ${wcs.describe()}\n`);
    });
  },
});
