import { runNotebooks } from "../../notebooks/run";
import { defineCommand } from "../command";

export const notebooksCommand = defineCommand({
  name: "notebooks",
  summary: "Execute the tslab notebooks headless; executed copies and HTML go to results/notebooks/.",
  args: "[NAME...]",
  positionals: [0, Infinity],
  options: {
    timeout: { type: "integer", min: 1, help: "per-cell timeout in seconds (default: none)" },
  },
  async run({ options, positionals }) {
    runNotebooks({ only: positionals, timeout: options.timeout });
  },
});
