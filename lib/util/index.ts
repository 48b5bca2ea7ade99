// Utilities of the public surface (lib/index.ts: `sc.util`); code inside lib imports the files themselves.
export * from "./paths"; // the checkout, results/ and data/ folders
export * from "./settings"; // the STARCLUSTER_* environment, read in one place
export * from "./version"; // this software's version
