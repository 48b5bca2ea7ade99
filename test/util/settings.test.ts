// The one configuration module: every STARCLUSTER_* variable lib/ reads is read by lib/util/settings.ts (the CLI's
// STARCLUSTER_DEBUG aside), and the backend's variables come through it as given, for lib/backend to check.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { SETTINGS_VARIABLES, settings } from "../../lib/util/settings";
import { repoRoot } from "../helpers";

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

test("lib/ reads STARCLUSTER_* variables only through lib/util/settings.ts", () => {
  const lib = path.join(repoRoot, "lib");
  const readers: string[] = [];
  for (const file of sourceFiles(lib)) {
    const rel = path.relative(repoRoot, file);
    if (rel === path.join("lib", "util", "settings.ts")) continue;
    for (const m of fs.readFileSync(file, "utf8").matchAll(/process\.env(?:\.|\[\s*["'`])(STARCLUSTER_\w+)/g))
      if (!(rel === path.join("lib", "cli", "main.ts") && m[1] === "STARCLUSTER_DEBUG"))
        readers.push(`${rel}: ${m[1]}`);
  }
  assert.deepEqual(readers, []);
});

test("the backend's variables are passed on as given; empty means unset", () => {
  const v = SETTINGS_VARIABLES;
  assert.deepEqual(
    [v.backend, v.threads, v.onednnAddon],
    ["STARCLUSTER_BACKEND", "STARCLUSTER_THREADS", "STARCLUSTER_ONEDNN_ADDON"],
  );
  const s = settings({
    STARCLUSTER_BACKEND: "GPU-please",
    STARCLUSTER_THREADS: "two",
    STARCLUSTER_ONEDNN_ADDON: "/x.node",
  });
  assert.deepEqual([s.backend, s.threads, s.onednnAddon], ["GPU-please", "two", "/x.node"]);
  const empty = settings({ STARCLUSTER_BACKEND: "", STARCLUSTER_THREADS: "", STARCLUSTER_ONEDNN_ADDON: "" });
  assert.deepEqual([empty.backend, empty.threads, empty.onednnAddon], [undefined, undefined, undefined]);
});
