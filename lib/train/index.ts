// Training, for the public surface (lib/index.ts: `sc.train`); code inside lib imports the files themselves.
export * from "./train"; // train(): one seed's run, resumable (`starcluster train`)
export * from "./profile"; // training profiles (data/profiles)
export * from "./rundir"; // a run directory's files: config, metrics, checkpoint, model
export * from "./seeds"; // several seeds, in processes or as a Slurm array
export * from "./adam"; // the optimiser, as torch.optim.Adam
export * from "./sampler"; // batches by class
