// `starcluster fits info FILE` (astropy's info() table) and `starcluster fits cutout FILE --x --y --size --out`.
import { formatInfo, summarize, withFits, writeCutout } from "../../io/fits";
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
      process.stdout.write(options.json ? fits.hdus.map((h) => JSON.stringify(summarize(h))).join("\n") + "\n" : formatInfo(fits));
    });
  },
});

export const fitsCutoutCommand = defineCommand({
  name: "fits cutout",
  summary: "Cut a square around (x, y) (1-based FITS pixels) out of every 2-D image HDU and write it as FITS (one extension per HDU).",
  args: "FILE",
  positionals: [1, 1],
  options: {
    x: { type: "number", required: true, help: "centre x (1-based, along NAXIS1)" },
    y: { type: "number", required: true, help: "centre y (1-based, along NAXIS2)" },
    size: { type: "integer", min: 1, default: 50, help: "side of the square in pixels" },
    out: { type: "string", required: true, help: "output FITS file (written atomically)" },
    hdu: { type: "string", help: "only this HDU (index or EXTNAME)" },
  },
  async run({ positionals: [file], options }) {
    const hdu = options.hdu === undefined ? undefined : /^\d+$/.test(options.hdu) ? Number(options.hdu) : options.hdu;
    if (options.out === file) throw new UsageError("--out must differ from the input file");
    const names = writeCutout(file, { x: options.x, y: options.y, size: options.size, hdu }, options.out);
    process.stdout.write(`${options.out}: ${options.size}x${options.size} cutout at (${options.x}, ${options.y}) of ${names.join(", ")}\n`);
  },
});
