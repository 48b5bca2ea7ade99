// `starcluster lab`: the interactive route to the notebooks (classic Jupyter Notebook with the project's tslab kernel).
import { runLab } from "../../notebooks/lab";
import { defineCommand } from "../command";

export const labCommand = defineCommand({
  name: "lab",
  summary:
    "Start Jupyter Notebook on 127.0.0.1 with a token and the tslab kernel, rooted at this checkout; prints the URL; Ctrl-C stops it.",
  options: {
    port: { type: "integer", min: 1, max: 65535, default: 8888, help: "first port to try (the next free one is used)" },
    browser: { type: "boolean", help: "let the server open a web browser" },
  },
  async run({ options }) {
    return runLab({ port: options.port, browser: options.browser });
  },
});
