// Classifying catalogs with trained models, for the public surface (lib/index.ts: `sc.classify`); code inside lib
// imports the files themselves.
export * from "./classify"; // classify(): a catalog or curated folder through an ensemble (`starcluster classify`)
export * from "./models"; // which models a path means
export * from "./ensemble"; // the models on a chunk of stamps
export * from "./source"; // the objects to classify, with their stamps
export * from "./stats"; // one object's verdict from its models' probabilities
export * from "./table"; // the output table (CSV or FITS)
