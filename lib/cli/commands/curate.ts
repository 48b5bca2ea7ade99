// `starcluster curate`: catalog objects into five-band MEF stamps with a manifest (lib/curate/README.md), for one
// field from a catalog and its mosaics, or for every field of a `starcluster synth` output.
import { CATALOG_FORMATS } from "../../catalog/read";
import { BANDS } from "../../catalog/record";
import { curate, FIELD_NAME_RULE, FieldJob, isFieldName } from "../../curate/curate";
import { bandOf, MosaicSpec } from "../../curate/mosaics";
import { formatCurationSummary } from "../../curate/summary";
import { DEFAULT_SKY_TOLERANCE } from "../../curate/placement";
import { synthJobs } from "../../curate/synth";
import { parseSkyOption, SkyColumns } from "../../catalog/sky";
import { progressBar } from "../../util/progress";
import { OptionValues, UsageError } from "../args";
import { defineCommand } from "../command";

/** "F275W=path" -> spec; the band must be one of BANDS or a stand-in filter (F435W, F606W). */
function parseMosaic(arg: string): MosaicSpec {
  const eq = arg.indexOf("=");
  if (eq < 0) throw new UsageError(`--mosaic ${arg}: expected BAND=PATH, e.g. --mosaic F275W=ngc628_f275w_drc.fits`);
  const [filter, file] = [arg.slice(0, eq).trim(), arg.slice(eq + 1)];
  if (!bandOf(filter))
    throw new UsageError(
      `--mosaic ${arg}: unknown band '${filter}'; bands are ${BANDS.join(", ")} (F435W and F606W stand in for F438W and F555W)`,
    );
  if (file === "") throw new UsageError(`--mosaic ${arg}: no path after '='`);
  return { filter, path: file };
}

/** The --mosaic options of one field: each band once, and at least four bands (curate and classify share this). */
export function parseMosaics(args: string[]): MosaicSpec[] {
  const mosaics = args.map(parseMosaic);
  const bands = mosaics.map((m) => bandOf(m.filter)!);
  const twice = bands.find((b, i) => bands.indexOf(b) !== i);
  if (twice) throw new UsageError(`two --mosaic options for ${twice}`);
  if (bands.length < BANDS.length - 1) {
    throw new UsageError(
      `${bands.length} band(s) given (${bands.join(", ")}): one missing band is zero-filled, two or more drop every object; give at least ${BANDS.length - 1}`,
    );
  }
  return mosaics;
}

/** --sky RA,DEC as the two column names (a usage mistake when it is not two names). */
export function parseSkyColumns(text: string | undefined): SkyColumns | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSkyOption(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** How a catalog file is read (--catalog-format, --pixels), shared by catalog summary, curate and classify. */
export const CATALOG_READ_OPTIONS = {
  "catalog-format": { type: "string", choices: CATALOG_FORMATS, help: "catalog format (default: from the file)" },
  pixels: { type: "string", choices: ["fits", "zero"], help: "plain CSV: x, y are 1-based (fits) or 0-based (zero)" },
} as const;

/** The --sky and --sky-tolerance options, shared by curate and classify. */
export const SKY_OPTIONS = {
  sky: {
    type: "string",
    help:
      "place objects by RA/Dec from these columns (RA_COL,DEC_COL: header names; LEGUS: 1-based numbers, 4,5) " +
      "through each band's mosaic WCS (default: x, y pixels; RA/Dec of a common name when a CSV has no x, y)",
  },
  "sky-tolerance": {
    type: "number",
    default: DEFAULT_SKY_TOLERANCE,
    min: 0,
    help: "RA/Dec catalogs: largest distance in pixels between the bands' positions of one object",
  },
} as const;

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

const CURATE_OPTIONS = {
  catalog: { type: "string", help: "catalog file (LEGUS .tab, PHANGS FITS/CSV, plain CSV)" },
  mosaic: { type: "string", multiple: true, help: "BAND=PATH, once per band (F275W, F336W, F438W, F555W, F814W)" },
  field: { type: "string", help: "field name (names the stamps folder)" },
  synth: { type: "string", help: "curate every field of this 'starcluster synth' output instead (joins truth.csv)" },
  out: {
    type: "string",
    required: true,
    help: "output folder (new, empty, or an earlier curation with the same inputs to resume)",
  },
  size: { type: "integer", default: 50, min: 1, max: 1024, help: "stamp side in pixels" },
  pad: {
    type: "boolean",
    help: "keep stamps crossing the mosaic edge or holding pixels without data, zero-padded and flagged (default: drop them)",
  },
  "class-column": {
    type: "integer",
    min: 34,
    help: "LEGUS: 1-based column of the visual class, 34 or later (default: per field, else from its content)",
  },
  ...CATALOG_READ_OPTIONS,
  ...SKY_OPTIONS,
} as const;

/**
 * The fields to curate (every field of --synth, or the one --catalog, --field and --mosaic describe), and the
 * command line as curation.json records it so far.
 */
function curateJobs(options: OptionValues<typeof CURATE_OPTIONS>): { jobs: FieldJob[]; argv: string[] } {
  let jobs: FieldJob[];
  const argv = ["starcluster", "curate"];
  if (options.synth !== undefined) {
    const clash = (["catalog", "field", "class-column", "catalog-format", "pixels", "sky"] as const).filter(
      (k) => options[k] !== undefined,
    );
    if (options.mosaic.length) clash.push("mosaic" as never);
    if (clash.length)
      throw new UsageError(
        `--synth takes catalogs and mosaics from the synth manifest; drop ${clash.map((k) => `--${k}`).join(", ")}`,
      );
    jobs = synthJobs(options.synth);
    argv.push("--synth", options.synth);
  } else {
    const missing = (["catalog", "field"] as const).filter((k) => options[k] === undefined);
    if (missing.length || options.mosaic.length === 0) {
      throw new UsageError(
        `give --synth DIR, or --catalog, --field and one --mosaic BAND=PATH per band (missing: ${[...missing.map((k) => `--${k}`), ...(options.mosaic.length ? [] : ["--mosaic"])].join(", ")})`,
      );
    }
    if (!isFieldName(options.field!)) throw new UsageError(`--field: field name '${options.field}' ${FIELD_NAME_RULE}`);
    const mosaics = parseMosaics(options.mosaic);
    jobs = [
      {
        field: options.field!,
        catalog: options.catalog!,
        format: options["catalog-format"],
        classColumn: options["class-column"],
        pixels: options.pixels as "fits" | "zero" | undefined,
        sky: parseSkyColumns(options.sky),
        mosaics,
      },
    ];
    argv.push(
      "--catalog",
      options.catalog!,
      ...mosaics.flatMap((m) => ["--mosaic", `${m.filter}=${m.path}`]),
      "--field",
      options.field!,
    );
    for (const k of ["class-column", "catalog-format", "pixels", "sky"] as const)
      if (options[k] !== undefined) argv.push(`--${k}`, String(options[k]));
  }
  return { jobs, argv };
}

export const curateCommand = defineCommand({
  name: "curate",
  summary:
    "Cut five-band MEF stamps around catalog objects from the mosaics; write OUT/manifest.csv (every object, kept or dropped with the reason) and OUT/curation.json. Reruns resume.",
  renamed: { format: "catalog-format" },
  options: CURATE_OPTIONS,
  async run({ options }) {
    const { jobs, argv } = curateJobs(options);
    argv.push("--out", options.out, "--size", String(options.size), ...(options.pad ? ["--pad"] : []));
    if (options["sky-tolerance"] !== DEFAULT_SKY_TOLERANCE)
      argv.push("--sky-tolerance", String(options["sky-tolerance"]));
    const result = curate({
      out: options.out,
      size: options.size,
      pad: options.pad,
      jobs,
      command: argv.map(quote).join(" "),
      skyTolerance: options["sky-tolerance"],
      progress: (n) => progressBar(n),
    });
    process.stdout.write(formatCurationSummary(result.fields, result.total) + "\n");
    process.stdout.write(
      `${options.out}/manifest.csv: ${result.rows.length} objects; ${result.written} stamp(s) written, ${result.skipped} already there` +
        `${result.badRows.length ? `; ${result.badRows.length} bad catalog row(s) skipped (listed above and in curation.json)` : ""}\n`,
    );
  },
});
