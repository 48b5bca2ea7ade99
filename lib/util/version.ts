// The project's name and version as package.json states them, for provenance in the files we write.
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "./paths";

// package.json's name and version, read once per process (one value).
let cached: string | undefined;

/** e.g. "starcluster 0.1.0". */
export function softwareVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    cached = `${pkg.name} ${pkg.version}`;
  }
  return cached;
}
