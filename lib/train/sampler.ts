// The order in which training objects are seen, as a pure function of (seed, batch number): resuming a run
// needs only the number of batches done, and the same seed always sees the same sequence.
//   shuffle:  a fresh permutation of all objects per epoch, batches read consecutively across epochs
//             (PyTorch's DataLoader(shuffle=True) with drop_last=False, as one endless stream).
//   balanced: each stamp of a batch draws a class uniformly, then an object of that class (with replacement).
import { deriveSeed, mulberry32, shuffle } from "../util/random";

export type Sampling = "shuffle" | "balanced";

export class BatchSampler {
  private epoch = -1;
  private order: number[] = [];
  private readonly byClass: number[][];

  constructor(
    private readonly labels: number[],
    private readonly batchSize: number,
    private readonly seed: number,
    private readonly sampling: Sampling = "shuffle",
  ) {
    if (labels.length === 0) throw new Error("no training objects");
    const classes = Math.max(...labels) + 1;
    this.byClass = Array.from({ length: classes }, () => [] as number[]);
    labels.forEach((l, i) => this.byClass[l].push(i));
  }

  /** Indices (into `labels`) of batch number `step` (0-based). */
  batch(step: number): number[] {
    if (this.sampling === "balanced") {
      const random = mulberry32(deriveSeed(this.seed, step, 0xba1));
      const present = this.byClass.filter((c) => c.length > 0);
      return Array.from({ length: this.batchSize }, () => {
        const members = present[Math.floor(random() * present.length)];
        return members[Math.floor(random() * members.length)];
      });
    }
    const n = this.labels.length;
    return Array.from({ length: this.batchSize }, (_, j) => {
      const position = step * this.batchSize + j;
      const epoch = Math.floor(position / n);
      if (epoch !== this.epoch) {
        this.order = shuffle(
          Array.from({ length: n }, (_, i) => i),
          mulberry32(deriveSeed(this.seed, epoch, 0x5eed)),
        );
        this.epoch = epoch;
      }
      return this.order[position % n];
    });
  }

  /** Epochs completed after `steps` batches. */
  epochs(steps: number): number {
    return (steps * this.batchSize) / this.labels.length;
  }
}
