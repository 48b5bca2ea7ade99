// Evaluation, for the public surface (lib/index.ts: `sc.evaluate`); code inside lib imports the files themselves.
export * from "./metrics"; // confusion matrices, accuracy, entropy, calibration (plain arrays in, numbers out)
export * from "./predict"; // a model's probabilities for stamps
export * from "./runs"; // runs -> predictions -> the paper's mean +/- std tables (`starcluster evaluate`)
export * from "./decision"; // how probabilities become classes: the argmax, or read with the training prior
