// One object's ensemble verdict from its per-model class probabilities: the mean and spread over models, the
// class by argmax of the mean and by the models' vote (the PHANGS convention), and two uncertainties.
import { argmax, entropy, mutualInformation } from "../evaluate/metrics";

export interface EnsembleVerdict {
  /** Mean class probability over the models, classes 1-4. */
  mean: number[];
  /** Population standard deviation (ddof 0) over the models: 0 for one model. */
  std: number[];
  /** 1-4: argmax of the mean (the lower class on an exact tie). */
  classMean: number;
  /** 1-4: the class most models predict; a tie in votes goes to the tied class with the higher mean probability, then to the lower class. */
  classMode: number;
  /** Models whose own argmax is classMode: 1..models. */
  modeVotes: number;
  /** Shannon entropy of the mean, in nats: 0 (certain) to ln 4 (uniform). */
  entropy: number;
  /** Mutual information between prediction and model, in nats: how much the models disagree (0 for one model). */
  mutualInfo: number;
}

export function ensembleVerdict(perModel: ArrayLike<number>[]): EnsembleVerdict {
  if (perModel.length === 0) throw new Error("ensembleVerdict: no model predictions");
  const k = perModel[0].length;
  const n = perModel.length;
  const mean = Array.from({ length: k }, (_, c) => perModel.reduce((s, p) => s + p[c], 0) / n);
  const std = mean.map((mu, c) => Math.sqrt(perModel.reduce((s, p) => s + (p[c] - mu) ** 2, 0) / n));
  const votes = new Array<number>(k).fill(0);
  for (const p of perModel) votes[argmax(p)]++;
  let mode = 0;
  for (let c = 1; c < k; c++)
    if (votes[c] > votes[mode] || (votes[c] === votes[mode] && mean[c] > mean[mode])) mode = c;
  return {
    mean,
    std,
    classMean: argmax(mean) + 1,
    classMode: mode + 1,
    modeVotes: votes[mode],
    entropy: entropy(mean),
    mutualInfo: mutualInformation(perModel),
  };
}
