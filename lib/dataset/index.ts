// Curated stamps as training data, for the public surface (lib/index.ts: `sc.dataset`); code inside lib imports
// the files themselves.
export * from "./curated"; // loadCurated: curated folders -> items with labels
export * from "./split"; // the stratified train/test split
export * from "./transforms"; // rescaling and augmentation
export * from "./batch"; // stamps -> the networks' six-channel input batch
