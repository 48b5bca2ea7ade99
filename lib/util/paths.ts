// Where the project's folders are, independent of the current directory (notebooks run in notebooks/).
import * as path from "node:path";
import { settings } from "./settings";

/** The repository root: this file compiles to dist/lib/util/paths.js, three levels below it. */
export const projectRoot = path.resolve(__dirname, "..", "..", "..");

/** A path under results/ (STARCLUSTER_RESULTS overrides the folder). */
export function resultsPath(...parts: string[]): string {
  return path.join(settings().results ?? path.join(projectRoot, "results"), ...parts);
}

/** A path under data/. */
export function dataPath(...parts: string[]): string {
  return path.join(projectRoot, "data", ...parts);
}

/** A path inside the checkout as relative to it (what notebooks print, so that outputs name no machine's folders). */
export function relativeToProject(file: string): string {
  const rel = path.relative(projectRoot, path.resolve(file));
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}
