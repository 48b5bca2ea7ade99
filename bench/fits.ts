// bench:fits: 5,000 random 50x50 sections of an 8k x 8k float32 mosaic on disk, ours vs astropy's memory-mapped
// `section`, each in its own process (so that peak RSS is the reader's own). The mosaic (256 MB) is written to a
// temporary folder and deleted afterwards. Last line: throughput ratio ours/astropy.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatHeader, openFits } from "../lib/io/fits";

const N = 8192;
const STAMPS = 5000;
const SIZE = 50;
const PYTHON = process.env.STARCLUSTER_PYTHON ?? "/usr/bin/python3";

interface Run {
  seconds: number;
  stamps: number;
  sum: number;
  maxrss_kb: number;
}

/** Streams a float32 mosaic to disk row block by row block (the bench process never holds it). */
function writeMosaic(file: string): void {
  const fd = fs.openSync(file, "w");
  fs.writeSync(
    fd,
    formatHeader([
      { key: "SIMPLE", value: true },
      { key: "BITPIX", value: -32 },
      { key: "NAXIS", value: 2 },
      { key: "NAXIS1", value: N },
      { key: "NAXIS2", value: N },
    ]),
  );
  const rows = 256;
  const block = Buffer.alloc(rows * N * 4);
  let seed = 12345;
  for (let y = 0; y < N; y += rows) {
    for (let i = 0; i < rows * N; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      block.writeFloatBE((seed / 2 ** 32) * 100 - 10, 4 * i);
    }
    fs.writeSync(fd, block);
  }
  const pad = (2880 - ((N * N * 4) % 2880)) % 2880;
  if (pad) fs.writeSync(fd, Buffer.alloc(pad));
  fs.closeSync(fd);
}

/** Child-process side: our section reads, timed, with this process's peak RSS. */
function child(file: string, positionsFile: string): void {
  const positions: [number, number][] = JSON.parse(fs.readFileSync(positionsFile, "utf8"));
  const fits = openFits(file);
  const hdu = fits.hdus[0];
  let sum = 0;
  const t0 = process.hrtime.bigint();
  for (const [x0, y0] of positions) {
    const data = hdu.section({ x0, y0, width: SIZE, height: SIZE }).data as Float32Array;
    for (let i = 0; i < data.length; i++) sum += data[i];
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  fits.close();
  const run: Run = { seconds, stamps: positions.length, sum, maxrss_kb: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(run) + "\n");
}

function spawnJson(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function main(): void {
  if (process.argv[2] === "--child") {
    child(process.argv[3], process.argv[4]);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-fits-"));
  try {
    const mosaic = path.join(dir, "mosaic.fits");
    const positionsFile = path.join(dir, "positions.json");
    let seed = 2020;
    const rand = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const positions = Array.from({ length: STAMPS }, () => [
      Math.floor(rand() * (N - SIZE + 1)),
      Math.floor(rand() * (N - SIZE + 1)),
    ]);
    fs.writeFileSync(positionsFile, JSON.stringify(positions));
    process.stdout.write(`writing ${N} x ${N} float32 mosaic (${(N * N * 4) / 2 ** 20} MB) to ${dir} ...\n`);
    writeMosaic(mosaic);
    // Warm the page cache equally for both readers: one pass of each before the timed runs.
    spawnJson(process.execPath, [__filename, "--child", mosaic, positionsFile]);
    spawnJson(PYTHON, [
      path.join(__dirname, "..", "..", "bench", "ref", "fits_sections.py"),
      mosaic,
      positionsFile,
      String(SIZE),
    ]);
    const ours = spawnJson(process.execPath, [__filename, "--child", mosaic, positionsFile]);
    const ref = spawnJson(PYTHON, [
      path.join(__dirname, "..", "..", "bench", "ref", "fits_sections.py"),
      mosaic,
      positionsFile,
      String(SIZE),
    ]);
    if (Math.abs(ours.sum - ref.sum) > 1e-9 * Math.abs(ref.sum))
      throw new Error(`stamp sums differ: ours ${ours.sum}, astropy ${ref.sum}`);
    const line = (name: string, r: Run) =>
      `${name.padEnd(8)} ${(r.stamps / r.seconds).toFixed(0).padStart(8)} stamps/s   peak RSS ${(r.maxrss_kb / 1024).toFixed(1)} MB   (${r.stamps} stamps of ${SIZE}x${SIZE} in ${r.seconds.toFixed(3)} s)\n`;
    process.stdout.write(line("ours", ours) + line("astropy", ref) + `stamp sums agree: ${ours.sum.toFixed(3)}\n`);
    process.stdout.write(
      `throughput ratio ours/astropy: ${(ours.stamps / ours.seconds / (ref.stamps / ref.seconds)).toFixed(2)}\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
