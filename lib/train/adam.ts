// Adam exactly as torch.optim.Adam (PyTorch 1.13, weight_decay 0, amsgrad off), which the paper trains with at lr 1e-4:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// tf.train.adam differs: its default epsilon is the backend's (1e-7, not 1e-8), and it adds epsilon to the
// bias-corrected sqrt(v_hat) in a different order. State is keyed by parameter name so it can be checkpointed.
import * as tf from "@tensorflow/tfjs";
import { FUSED, hasFusedKernel } from "../backend/fused";

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export class Adam {
  /** Set per batch by a schedule (profile.ts learningRateAt); constant in the paper. */
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Per-parameter factors on lr (torch's parameter groups with their own lr); 1 where absent. */
  readonly lrScale = new Map<string, number>();
  /** Steps taken (torch's per-parameter `step`; all parameters step together here). */
  t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(options: AdamOptions) {
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
  }

  /** One update of every parameter that has a gradient in `grads` (same names as `params`). */
  step(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>): void {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** this.t);
    const baseStep = this.lr / bc1;
    // One pass per parameter where the backend has the fused kernel (same float32 arithmetic, same order).
    const fused = hasFusedKernel(FUSED.adam);
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (!p) throw new Error(`Adam: gradient for unknown parameter '${name}'`);
      if (!this.m.has(name)) {
        this.m.set(
          name,
          tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
        );
        this.v.set(
          name,
          tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
        );
      }
      const m = this.m.get(name)!,
        v = this.v.get(name)!;
      const stepSize = baseStep * (this.lrScale.get(name) ?? 1);
      if (fused) {
        tf.tidy(() => {
          const attrs = { beta1: this.beta1, beta2: this.beta2, eps: this.eps, bc2Sqrt, stepSize };
          const [p1, m1, v1] = tf.engine().runKernel(FUSED.adam, { p, m, v, g }, attrs) as tf.Tensor[];
          m.assign(m1);
          v.assign(v1);
          p.assign(p1);
        });
        continue;
      }
      tf.tidy(() => {
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), this.eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
      });
    }
  }

  /** The moment estimates under "m.<parameter>" and "v.<parameter>", for checkpoints. */
  moments(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, m] of this.m) out.set(`m.${name}`, m);
    for (const [name, v] of this.v) out.set(`v.${name}`, v);
    return out;
  }

  /** Restores a checkpointed state: step count and the moments as `moments()` named them. */
  restore(t: number, moments: Map<string, tf.Tensor>): void {
    this.dispose();
    this.t = t;
    for (const [key, value] of moments) {
      const target = key.startsWith("m.") ? this.m : key.startsWith("v.") ? this.v : undefined;
      if (!target) throw new Error(`Adam state: unexpected tensor '${key}'`);
      target.set(key.slice(2), tf.variable(value, false));
    }
    for (const name of this.m.keys())
      if (!this.v.has(name)) throw new Error(`Adam state: 'm.${name}' without 'v.${name}'`);
  }

  dispose(): void {
    for (const s of [...this.m.values(), ...this.v.values()]) s.dispose();
    this.m.clear();
    this.v.clear();
  }
}
