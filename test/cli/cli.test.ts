// The `starcluster` binary as users call it: help, the backend report, and exit code 2 for every usage mistake.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { onednnSkip } from "../backend/kernel-check";
import { repoRoot } from "../helpers";

function starcluster(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, "bin", "starcluster.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("--help lists every registered subcommand and exits 0", async () => {
  const { commands } = await import("../../lib/cli/commands");
  const r = starcluster(["--help"]);
  assert.equal(r.code, 0);
  for (const c of commands) assert.match(r.stdout, new RegExp(`^  ${c.name} `, "m"));
  const sub = starcluster(["backend", "--help"]);
  assert.equal(sub.code, 0);
  assert.match(sub.stdout, /usage: starcluster backend/);
  assert.match(sub.stdout, /--backend auto\|tensorflow\|onednn\|wasm\|cpu/);
});

test("backend prints one JSON object with backend, tfjs version, threads and simd; onednn names its native kernels", {
  skip: onednnSkip(),
}, () => {
  const r = starcluster(["backend"], { STARCLUSTER_BACKEND: "" });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  const info = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(info).slice(0, 4), ["backend", "tfjs", "threads", "simd"]);
  assert.equal(info.tfjs, require("@tensorflow/tfjs/package.json").version);
  // No native TensorFlow can be installed on this project's machines, so automatic selection lands on the oneDNN
  // addon that setup built, and says why on stderr in one line.
  assert.equal(info.backend, "onednn");
  assert.match(info.oneDNN, /^2\.\d+\.\d+$/);
  for (const k of [
    "Conv2D",
    "Conv2DBackpropInput",
    "Conv2DBackpropFilter",
    "BatchMatMul",
    "MaxPool",
    "MaxPoolGrad",
    "StarclusterBatchNormTrain",
  ]) {
    assert.ok(info.nativeKernels.includes(k), `${k} is native`);
  }
  assert.match(
    r.stderr,
    /^starcluster: using backend onednn \(tfjs-node-gpu not installed; tfjs-node not installed\)\n$/,
  );
});

test("without the addon, backend falls back to wasm and says why in one line", () => {
  const r = starcluster(["backend"], {
    STARCLUSTER_BACKEND: "",
    STARCLUSTER_ONEDNN_ADDON: path.join(repoRoot, "no-such-addon.node"),
  });
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.deepEqual([info.backend, info.simd, info.nativeKernels], ["wasm", true, undefined]);
  assert.match(
    r.stderr,
    /^starcluster: using backend wasm \(tfjs-node-gpu not installed; tfjs-node not installed; onednn addon not built \(STARCLUSTER_ONEDNN_ADDON: .*no-such-addon\.node not found\)\)\n$/,
  );
  const forced = starcluster(["backend", "--backend", "onednn"], {
    STARCLUSTER_ONEDNN_ADDON: path.join(repoRoot, "no-such-addon.node"),
  });
  assert.equal(forced.code, 1);
  assert.match(forced.stderr, /backend 'onednn' unavailable: onednn addon not built/);
});

test("a forced backend is honoured, from the option or the environment", () => {
  assert.equal(JSON.parse(starcluster(["backend", "--backend", "cpu"]).stdout).backend, "cpu");
  assert.equal(JSON.parse(starcluster(["backend"], { STARCLUSTER_BACKEND: "cpu" }).stdout).backend, "cpu");
  const native = starcluster(["backend", "--backend", "tensorflow"]);
  assert.equal(native.code, 1);
  assert.match(native.stderr, /backend 'tensorflow' unavailable: tfjs-node-gpu not installed; tfjs-node not installed/);
  const badEnv = starcluster(["backend"], { STARCLUSTER_BACKEND: "gpu" });
  assert.equal(badEnv.code, 1);
  assert.match(badEnv.stderr, /STARCLUSTER_BACKEND: unknown backend 'gpu'/);
});

test("usage mistakes exit 2 with a message naming the mistake", () => {
  const cases: [string[], RegExp][] = [
    [[], /usage: starcluster <command>/],
    [["no-such-command"], /unknown command 'no-such-command'/],
    [["backend", "--backend", "gpu"], /--backend must be one of auto, tensorflow, onednn, wasm, cpu \(got 'gpu'\)/],
    [["backend", "--threads", "two"], /--threads must be a number \(got 'two'\)/],
    [["backend", "--threads", "0"], /--threads must be >= 1/],
    [["backend", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["backend", "extra"], /unexpected argument 'extra'/],
    [
      ["train", "--data", "d", "--arch", "resnet18", "--out", "o", "--profile", "fast"],
      /--profile: unknown training profile 'fast' \(built in: paper, cpu, quick, smoke; or a path to a \.json file\)\n\nusage: starcluster train/,
    ],
    [
      ["train-seeds", "--data", "d", "--arch", "resnet18", "--out", "o", "--profile", "fast"],
      /--profile: unknown training profile 'fast'/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = starcluster(args);
    assert.equal(r.code, 2, `exit code for: ${args.join(" ")}`);
    assert.match(r.stdout + r.stderr, message, args.join(" "));
  }
});

test("--catalog-format names a catalog's format in every command reading one; curate's old --format still works", () => {
  const legus = path.join(
    repoRoot,
    "data",
    "catalogs",
    "legus",
    "hlsp_legus_hst_wfc3_ngc4656_multiband_v2_padagb-mwext-avgapcor.tab",
  );
  const now = starcluster(["catalog", "summary", "--json", "--catalog-format", "legus", legus]);
  assert.equal(now.code, 0, now.stderr);
  assert.equal(now.stderr, "");
  const old = starcluster(["catalog", "summary", "--json", "--format", "legus", legus]);
  assert.equal(old.code, 0, old.stderr);
  assert.equal(old.stdout, now.stdout);
  assert.equal(old.stderr, "starcluster catalog summary: --format is now --catalog-format; the old name will go\n");
  for (const command of ["curate", "classify", "catalog summary"]) {
    const help = starcluster([...command.split(" "), "--help"]).stdout;
    assert.match(help, /--catalog-format legus\|phangs\|csv/, command);
  }
  // classify's --format is its output table's format.
  assert.match(starcluster(["classify", "--help"]).stdout, /--format csv\|fits/);
  assert.doesNotMatch(starcluster(["curate", "--help"]).stdout, /--format /);
});
