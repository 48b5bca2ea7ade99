// The library's public surface, for notebooks (`import * as sc from "../dist/lib"`) and for other programs: one
// namespace per folder of lib/, in pipeline order, each its folder's index.ts (code inside lib imports the files).
export * as util from "./util"; // paths, settings, version
export * as fits from "./io/fits"; // FITS files, as astropy.io.fits
export * as wcs from "./io/wcs"; // celestial WCS, as astropy.wcs
export * as catalog from "./catalog"; // cluster catalogs (LEGUS, PHANGS, CSV), the paper's fields
export * as simulate from "./simulate"; // simulated fields and mosaics
export * as curate from "./curate"; // catalog + mosaics -> stamps
export * as dataset from "./dataset"; // stamps -> training data
export * as backend from "./backend/select"; // the TensorFlow.js backend
export * as selfcheck from "./backend/selfcheck"; // a tiny network trained to check the backend
export * as models from "./models"; // ResNet18, VGG19-BN, the dual model, model files
export * as train from "./train"; // training runs
export * as evaluate from "./evaluate"; // metrics, predictions, the paper's tables
export * as experiments from "./experiments"; // the paper's experiments and their results
export * as classify from "./classify"; // catalogs classified by a trained ensemble
export * as plot from "./plot"; // figures, tables, and what the notebooks show (reports)
export * as notebooks from "./notebooks/run"; // running the notebooks
export * as pipeline from "./pipeline"; // reproduce, and the classification demo of notebook 08
