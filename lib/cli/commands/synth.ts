import { UsageError } from "../args";
import { defineCommand } from "../command";
import { paperFieldNames } from "../../simulate/field";
import { progressBar } from "../../util/progress";
import { SCALES } from "../../simulate/config";
import { synthesizeInWorkers } from "../../simulate/synth";
import { defaultThreads } from "../../backend/select";

export const synthCommand = defineCommand({
  name: "synth",
  summary: "Render LEGUS-like five-band fields (mosaics, LEGUS .tab catalogs, truth tables) for the paper's fields.",
  options: {
    scale: {
      type: "string",
      choices: SCALES,
      default: "default",
      help: "smoke (2 cropped fields, CI), default (Tables 1-2), full (whole fields, float32)",
    },
    out: { type: "string", required: true, help: "output folder (created; must be empty unless --force)" },
    seed: { type: "integer", default: 0, min: 0, max: 4294967295, help: "random seed (same seed, same bytes)" },
    fields: { type: "string", help: "comma-separated subset of fields (default: all of the scale's)" },
    force: { type: "boolean", help: "overwrite the simulated fields in a non-empty output folder" },
    jobs: {
      type: "integer",
      min: 1,
      help: "fields rendered at once, in worker threads (default: STARCLUSTER_THREADS, else the cores; the bytes do not depend on it)",
    },
  },
  async run({ options }) {
    const fields = options.fields
      ? options.fields
          .split(",")
          .map((f) => f.trim().toUpperCase())
          .filter(Boolean)
      : undefined;
    const known = paperFieldNames();
    const unknown = (fields ?? []).filter((f) => !known.includes(f));
    if (unknown.length) throw new UsageError(`unknown field(s) ${unknown.join(", ")}; choose from ${known.join(", ")}`);
    const manifest = await synthesizeInWorkers({
      out: options.out,
      scale: options.scale,
      seed: options.seed,
      fields,
      force: options.force,
      jobs: options.jobs ?? defaultThreads(),
      progress: (total) => progressBar(total),
    });
    process.stdout.write(
      `${options.out}/manifest.json: ${manifest.fields.length} field(s), ${(manifest.bytes / 1e6).toFixed(0)} MB, ${manifest.seconds.toFixed(0)} s\n`,
    );
  },
});
