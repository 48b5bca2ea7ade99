#!/usr/bin/env node
// Entry point of the `starcluster` command; the compiled CLI lives in dist/ (built by `npm run build`).
const path = require("node:path");
const fs = require("node:fs");
const mainFile = path.join(__dirname, "..", "dist", "lib", "cli", "main.js");
if (!fs.existsSync(mainFile)) {
  process.stderr.write(
    "starcluster: the library is not built; run 'npm run build' in " + path.join(__dirname, "..") + "\n",
  );
  process.exit(1);
}
require(mainFile)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((e) => {
    process.stderr.write(`starcluster: ${e?.stack ? e.stack : e}\n`);
    process.exitCode = 1;
  });
