// Figure 5 and beyond: how sure the networks are. Shannon entropy of each prediction (0 = certain, ln 4 =
// uniform) split by true class and by right/wrong; for an ensemble of seeds, the mutual information between
// prediction and model (disagreement between seeds); reliability diagrams and expected calibration error.
import { argmax, calibration, entropy, mutualInformation, ReliabilityBin } from "../evaluate/metrics";
import { RunPredictions } from "../evaluate/runs";

export interface EntropyByClass {
  /** Per true class (0-based): entropies of the predictions that were right, and of those that were wrong. */
  correct: number[][];
  wrong: number[][];
}

export function entropyByClass(p: RunPredictions, classes = 4): EntropyByClass {
  const correct = Array.from({ length: classes }, () => [] as number[]);
  const wrong = Array.from({ length: classes }, () => [] as number[]);
  p.probs.forEach((probs, i) => (p.predicted[i] === p.labels[i] ? correct : wrong)[p.labels[i]].push(entropy(probs)));
  return { correct, wrong };
}

export interface EnsembleUncertainty {
  keys: string[];
  labels: number[];
  /** Mean probabilities over the models, per object. */
  meanProbs: number[][];
  predicted: number[];
  entropy: number[];
  mutualInformation: number[];
  /** Reliability of the ensemble mean and of the first model alone. */
  ensembleCalibration: { bins: ReliabilityBin[]; ece: number };
  singleCalibration: { bins: ReliabilityBin[]; ece: number };
}

/** Ensemble statistics over several runs' predictions of the same objects. */
export function ensembleUncertainty(runs: RunPredictions[]): EnsembleUncertainty {
  if (runs.length === 0) throw new Error("ensembleUncertainty: no runs");
  const { keys, labels } = runs[0];
  for (const r of runs)
    if (r.keys.join("\n") !== keys.join("\n"))
      throw new Error(`${r.run}: predictions on other objects than ${runs[0].run}`);
  const meanProbs = keys.map((_, i) => {
    const m = new Array<number>(runs[0].probs[i].length).fill(0);
    for (const r of runs) r.probs[i].forEach((v, c) => (m[c] += v / runs.length));
    return m;
  });
  return {
    keys,
    labels,
    meanProbs,
    predicted: meanProbs.map(argmax),
    entropy: meanProbs.map(entropy),
    mutualInformation: keys.map((_, i) => mutualInformation(runs.map((r) => r.probs[i]))),
    ensembleCalibration: calibration(meanProbs, labels),
    singleCalibration: calibration(runs[0].probs, labels),
  };
}
