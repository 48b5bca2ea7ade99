// The paper's experiments, for the public surface (lib/index.ts: `sc.experiments`); code inside lib imports the
// files themselves.
export * from "./results"; // reproduction profiles, where results live, reading and writing them
export * from "./paper"; // the paper's numbers (data/paper-results.json)
export * from "./compute"; // every result file of a reproduction, and their interfaces
export * from "./predictions"; // per-object predictions of every seed
export * from "./human"; // Figure 2: agreement of two classifications
export * from "./uncertainty"; // Figure 5: entropies, the seeds as an ensemble
export * from "./baseline"; // the classical baseline
export * from "./ceiling"; // what the simulated data allow
export * from "./stamps"; // the stamps of objects named in results
