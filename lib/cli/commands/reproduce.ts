// `starcluster reproduce --profile quick|cpu|paper|smoke`: every experiment, from data generation to notebooks.
import { BACKENDS, initBackend } from "../../backend/select";
import { REPRODUCE_PROFILES } from "../../experiments/results";
import { reproduce } from "../../pipeline/reproduce";
import { defineCommand } from "../command";

export const reproduceCommand = defineCommand({
  name: "reproduce",
  summary:
    "Run the paper's experiments end to end (data, curation, training, tables, notebooks), skipping work already done; results in results/<profile>/.",
  options: {
    profile: {
      type: "string",
      choices: REPRODUCE_PROFILES,
      default: "quick",
      help: "smoke (CI), quick (two seeds, short), cpu (ten seeds, this machine), paper (as published, GPU)",
    },
    parallel: { type: "integer", default: 1, min: 1, help: "train this many seeds at once in child processes" },
    "no-notebooks": { type: "boolean", help: "stop after the results; do not execute the notebooks" },
    "no-train": { type: "boolean", help: "train nothing: results from the seeds complete so far" },
    backend: { type: "string", choices: ["auto", ...BACKENDS], help: "force a backend" },
  },
  async run({ options }) {
    const backend = await initBackend({ backend: options.backend });
    const command = ["starcluster", "reproduce", ...process.argv.slice(3)].join(" ");
    const { results, stages } = await reproduce({
      profile: options.profile,
      backend,
      parallel: options.parallel,
      notebooks: !options["no-notebooks"],
      train: !options["no-train"],
      command,
    });
    const total = Object.values(stages).reduce((s, x) => s + x.seconds, 0);
    process.stdout.write(
      `${results}: ${Object.entries(stages)
        .map(([k, v]) => `${k} ${v.seconds.toFixed(0)} s${v.done === "before" ? " (done before)" : ""}`)
        .join(", ")}; total ${(total / 60).toFixed(1)} min\n`,
    );
  },
});
