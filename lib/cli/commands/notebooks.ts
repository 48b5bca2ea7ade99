import * as path from "node:path";
import { REPRODUCE_PROFILES, ReproduceProfile, shownProfile } from "../../experiments/results";
import { runNotebooks } from "../../notebooks/run";
import { defaultThreads } from "../../backend/select";
import { projectRoot, resultsPath } from "../../util/paths";
import { defineCommand } from "../command";

export const notebooksCommand = defineCommand({
  name: "notebooks",
  summary:
    "Execute the tslab notebooks headless; executed copies and HTML go to results/notebooks/ " +
    "(results/<profile>/notebooks/ with --in-place, which also rewrites notebooks/*.ipynb with their outputs as committed).",
  args: "[NAME...]",
  positionals: [0, Infinity],
  options: {
    timeout: { type: "integer", min: 1, help: "per-cell timeout in seconds (default: none)" },
    jobs: {
      type: "integer",
      min: 1,
      help: "notebooks executed at once (default: STARCLUSTER_THREADS, else the cores)",
    },
    "in-place": {
      type: "boolean",
      help: "refresh the committed notebooks' outputs (figures as Plotly JSON and a static image)",
    },
    profile: {
      type: "string",
      choices: REPRODUCE_PROFILES,
      help: "the results the notebooks show (default STARCLUSTER_PROFILE, else quick)",
    },
  },
  async run({ options, positionals }) {
    const profile: ReproduceProfile = options.profile ?? shownProfile();
    const inPlace = Boolean(options["in-place"]);
    const outDir = inPlace ? resultsPath(profile, "notebooks") : undefined;
    const commitDir = inPlace ? path.join(projectRoot, "notebooks") : undefined;
    const jobs = options.jobs ?? defaultThreads();
    await runNotebooks({ only: positionals, timeout: options.timeout, jobs, commitDir, outDir, settings: { profile } });
  },
});
