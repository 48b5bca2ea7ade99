// bench:curate: curation of BENCH_STAMPS objects (default 5,000) into 50x50 five-band MEF stamps from five
// 10k x 10k float32 mosaics on disk: `starcluster curate` (the library, in a child process) vs the same cutouts,
// checks and atomic MEF writes with astropy + numpy (bench/ref/curate_astropy.py), each in its own process so
// that peak RSS is its own; BENCH_REPEATS runs of each (default 1), alternating, medians shown. The mosaics (2 GB)
// are kept in BENCH_MOSAICS (default: a folder in the system's temporary directory) for the next run; BENCH_CLEAN=1
// deletes them afterwards. Last line: throughput ratio ours/astropy.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BANDS } from "../lib/catalog/record";
import { curate } from "../lib/curate/curate";
import { readManifest, readStamp } from "../lib/curate/manifest";
import { formatHeader } from "../lib/io/fits";

const N = 10000;
const SIZE = 50;
const STAMPS = Number(process.env.BENCH_STAMPS ?? 5000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 1);
const PYTHON = process.env.STARCLUSTER_PYTHON ?? "/usr/bin/python3";
const MOSAICS = process.env.BENCH_MOSAICS ?? path.join(os.tmpdir(), "starcluster-bench-curate-mosaics");
const MOSAIC_BYTES = 2880 + Math.ceil((N * N * 4) / 2880) * 2880;

interface Run {
  seconds: number;
  stamps: number;
  maxrss_kb: number;
}

const mosaicFile = (band: string) => path.join(MOSAICS, `bench_${band.toLowerCase()}_drc.fits`);

/** Streams a float32 mosaic (sky + noise, a drizzled-like header) to disk block by block; never held whole. */
function writeMosaic(file: string, band: number): void {
  const fd = fs.openSync(file + ".tmp", "w");
  fs.writeSync(
    fd,
    formatHeader([
      { key: "SIMPLE", value: true },
      { key: "BITPIX", value: -32 },
      { key: "NAXIS", value: 2 },
      { key: "NAXIS1", value: N },
      { key: "NAXIS2", value: N },
      { key: "TELESCOP", value: "HST" },
      { key: "INSTRUME", value: "WFC3" },
      { key: "FILTER", value: BANDS[band] },
      { key: "EXPTIME", value: 1000 },
      { key: "BUNIT", value: "ELECTRONS/S" },
      { key: "PHOTFLAM", value: 1e-18 * (band + 1) },
      { key: "PHOTPLAM", value: 3000 + 1000 * band },
      { key: "CTYPE1", value: "RA---TAN" },
      { key: "CTYPE2", value: "DEC--TAN" },
      { key: "CRVAL1", value: 24.17 },
      { key: "CRVAL2", value: 15.78 },
      { key: "CRPIX1", value: 5000.5 },
      { key: "CRPIX2", value: 5000.5 },
      { key: "CD1_1", value: -1.1111e-5 },
      { key: "CD1_2", value: 0 },
      { key: "CD2_1", value: 0 },
      { key: "CD2_2", value: 1.1111e-5 },
    ]),
  );
  const rows = 100;
  const block = new Float32Array(rows * N);
  const bytes = Buffer.from(block.buffer);
  let s = 2463534242 + band;
  for (let y = 0; y < N; y += rows) {
    for (let i = 0; i < block.length; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5; // xorshift32
      block[i] = 0.5 + 0.1 * band + ((s >>> 0) / 2 ** 32 - 0.5) * 0.2;
    }
    bytes.swap32();
    fs.writeSync(fd, bytes);
  }
  fs.writeSync(fd, Buffer.alloc(MOSAIC_BYTES - 2880 - N * N * 4));
  fs.closeSync(fd);
  fs.renameSync(file + ".tmp", file);
}

function ensureMosaics(): string {
  fs.mkdirSync(MOSAICS, { recursive: true });
  const have = BANDS.filter((b) => fs.existsSync(mosaicFile(b)) && fs.statSync(mosaicFile(b)).size === MOSAIC_BYTES);
  BANDS.forEach((b, i) => {
    if (!have.includes(b)) writeMosaic(mosaicFile(b), i);
  });
  // Read them once so that both sides start from the page cache, whatever ran before.
  const chunk = Buffer.alloc(16 << 20);
  for (const b of BANDS) {
    const fd = fs.openSync(mosaicFile(b), "r");
    while (fs.readSync(fd, chunk, 0, chunk.length, null) > 0);
    fs.closeSync(fd);
  }
  return have.length === BANDS.length ? "reused" : `written (${BANDS.length - have.length} new)`;
}

/** Child-process side: our curation, timed from opening the inputs to the manifest, with this process's peak RSS. */
function child(catalog: string, out: string): void {
  const t0 = process.hrtime.bigint();
  const r = curate({
    out,
    size: SIZE,
    pad: false,
    command: "bench",
    jobs: [
      { field: "BENCH", catalog, pixels: "fits", mosaics: BANDS.map((b) => ({ filter: b, path: mosaicFile(b) })) },
    ],
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const run: Run = { seconds, stamps: r.written, maxrss_kb: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(run) + "\n");
}

function spawnJson(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** Pixels of a sample of stamps must agree between the two sides (headers differ: DATE, CREATOR). */
function comparePixels(ours: string, ref: string): number {
  const rows = readManifest(ours).filter((r) => r.status === "kept");
  const sample = rows.filter((_, i) => i % Math.max(1, Math.floor(rows.length / 50)) === 0);
  for (const row of sample) {
    const [a, b] = [readStamp(path.join(ours, row.stamp!)), readStamp(path.join(ref, row.stamp!))];
    if (!Buffer.from(a.bands.buffer).equals(Buffer.from(b.bands.buffer)))
      throw new Error(`stamp ${row.stamp}: pixels differ between ours and astropy's`);
  }
  return sample.length;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function main(): void {
  if (process.argv[2] === "--child") {
    child(process.argv[3], process.argv[4]);
    return;
  }
  if (!Number.isInteger(STAMPS) || STAMPS < 1)
    throw new Error(`BENCH_STAMPS must be a positive integer, got '${process.env.BENCH_STAMPS}'`);
  if (!Number.isInteger(REPEATS) || REPEATS < 1)
    throw new Error(`BENCH_REPEATS must be a positive integer, got '${process.env.BENCH_REPEATS}'`);
  const load0 = os.loadavg()[0].toFixed(2);
  const status = ensureMosaics();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-curate-"));
  try {
    let seed = 2020;
    const rand = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const catalog = path.join(work, "bench_catalog.csv");
    const rows = Array.from(
      { length: STAMPS },
      (_, i) =>
        `${i + 1},${(30 + rand() * (N - 60)).toFixed(3)},${(30 + rand() * (N - 60)).toFixed(3)},${Math.floor(rand() * 5) || ""}`,
    );
    fs.writeFileSync(catalog, ["id,x,y,class", ...rows].join("\n") + "\n");
    process.stdout.write(
      `mosaics: 5 x ${N} x ${N} float32 in ${MOSAICS} (${status}); ${STAMPS} objects, ${SIZE}x${SIZE} stamps; ${REPEATS} run(s) each, alternating\n`,
    );
    const runs: { ours: Run[]; astropy: Run[] } = { ours: [], astropy: [] };
    const mosaicsJson = JSON.stringify(Object.fromEntries(BANDS.map((b) => [b, mosaicFile(b)])));
    for (let k = 0; k < REPEATS; k++) {
      const [ours, ref] = [path.join(work, `ours${k}`), path.join(work, `astropy${k}`)];
      runs.ours.push(spawnJson(process.execPath, [__filename, "--child", catalog, ours]));
      runs.astropy.push(
        spawnJson(PYTHON, [
          path.join(__dirname, "..", "..", "bench", "ref", "curate_astropy.py"),
          mosaicsJson,
          catalog,
          ref,
          String(SIZE),
        ]),
      );
      if (k === 0)
        process.stdout.write(`pixels of ${comparePixels(ours, ref)} sampled stamps agree between ours and astropy's\n`);
      for (const d of [ours, ref]) fs.rmSync(d, { recursive: true, force: true });
    }
    const rate = (r: Run[]) => median(r.map((x) => x.stamps / x.seconds));
    const line = (name: string, r: Run[]) =>
      `${name.padEnd(8)} ${rate(r).toFixed(0).padStart(6)} stamps/s   peak RSS ${(median(r.map((x) => x.maxrss_kb)) / 1024).toFixed(0)} MB   ` +
      `(${r[0].stamps} stamps; runs ${r.map((x) => x.seconds.toFixed(1)).join(", ")} s)\n`;
    process.stdout.write(line("ours", runs.ours) + line("astropy", runs.astropy));
    process.stdout.write(
      `load average (1 min) before / after: ${load0} / ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} cores\n`,
    );
    if (process.env.BENCH_CLEAN === "1") fs.rmSync(MOSAICS, { recursive: true, force: true });
    else
      process.stdout.write(
        `mosaics kept for the next run (${((5 * MOSAIC_BYTES) / 1e9).toFixed(1)} GB): rm -r ${MOSAICS}, or run with BENCH_CLEAN=1\n`,
      );
    process.stdout.write(`throughput ratio ours/astropy: ${(rate(runs.ours) / rate(runs.astropy)).toFixed(2)}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
