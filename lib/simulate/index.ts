// The simulator, for the public surface (lib/index.ts: `sc.simulate`); its physics modules (psf, profiles,
// morphology, noise, render, ...) stay internal. Code inside lib imports the files themselves.
export * from "./config"; // data/simulation.json: filters, scales, galaxy and class-4 kinds
export * from "./field"; // planField: the sources of one field at a scale and seed
export * from "./synth"; // synthesize: mosaics and catalogs of the paper's fields (`starcluster synth`)
export * from "./gallery"; // what notebook 01 shows: class counts per field, stamps rendered on demand
