// The train/test split (the paper: 80% of each labelled set for training, 20% for testing), stratified by class
// and seeded, saved as a file so that every experiment and every training seed reuses the same split.
import * as fs from "node:fs";
import { writeFileAtomic } from "../util/atomic";
import { mulberry32, shuffle } from "../util/random";

export interface SplitItem {
  /** A stable key, e.g. "NGC45/123" (field/id). */
  key: string;
  label: number;
}

export interface Split {
  seed: number;
  testFraction: number;
  train: string[];
  test: string[];
}

/**
 * Per class, shuffles the keys (sorted first, so the input order does not matter) with the seed and puts
 * round(n * testFraction) of them in the test set. Classes keep their proportions in both parts.
 */
export function stratifiedSplit(items: SplitItem[], options: { seed: number; testFraction?: number }): Split {
  const testFraction = options.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`test fraction must be in (0, 1), got ${testFraction}`);
  const seen = new Set<string>();
  const byClass = new Map<number, string[]>();
  for (const { key, label } of items) {
    if (seen.has(key)) throw new Error(`split: duplicate key '${key}'`);
    seen.add(key);
    if (!byClass.has(label)) byClass.set(label, []);
    (byClass.get(label) as string[]).push(key);
  }
  const train: string[] = [];
  const test: string[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const keys = shuffle((byClass.get(label) as string[]).sort(), mulberry32(options.seed * 1000003 + label));
    const nTest = Math.round(keys.length * testFraction);
    test.push(...keys.slice(0, nTest));
    train.push(...keys.slice(nTest));
  }
  return { seed: options.seed, testFraction, train: train.sort(), test: test.sort() };
}

export function saveSplit(file: string, split: Split): void {
  writeFileAtomic(file, JSON.stringify(split, null, 1) + "\n");
}

export function loadSplit(file: string): Split {
  let data: Split;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: cannot read the split (${(e as Error).message})`);
  }
  if (!Array.isArray(data.train) || !Array.isArray(data.test))
    throw new Error(`${file}: not a split file (needs train and test lists)`);
  const train = new Set(data.train);
  const overlap = data.test.filter((k) => train.has(k));
  if (overlap.length) throw new Error(`${file}: ${overlap.length} key(s) in both train and test, e.g. ${overlap[0]}`);
  return data;
}
