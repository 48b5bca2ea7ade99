// Curation, for the public surface (lib/index.ts: `sc.curate`); code inside lib imports the files themselves.
export * from "./curate"; // curate(): catalog + mosaics -> five-band stamps and manifest.csv (`starcluster curate`)
export * from "./manifest"; // manifest.csv and the stamp files it lists
export * from "./summary"; // what curation kept and dropped, and why
export * from "./synth"; // the simulated fields as curation jobs, and their truth
export * from "./mosaics"; // a field's mosaics, one per band, on one pixel grid
export * from "./placement"; // where each object sits on each band
export * from "./stamp"; // cutting one object's stamp
