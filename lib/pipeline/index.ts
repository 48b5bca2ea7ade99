// Whole pipelines, for the public surface (lib/index.ts: `sc.pipeline`); code inside lib imports the files
// themselves.
export * from "./reproduce"; // reproduce(): synth, curate, train, results, notebooks (`starcluster reproduce`)
export * from "./classify-demo"; // what notebook 08 shows: a simulated field classified by a seed ensemble
