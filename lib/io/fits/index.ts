// FITS I/O modelled on astropy.io.fits: openFits(path) -> hdus with .header, readImage(), section(), readTable();
// formatInfo() as astropy's info(); writeFits() for images and multi-extension files,
// writeTableFits() for binary tables.
export * from "./header";
export * from "./pixels";
export * from "./read";
export { GUNZIP_MEMORY_MAX } from "./source";
export * from "./section";
export * from "./table";
export * from "./table-write";
export * from "./checksum";
export * from "./info";
export * from "./write";
export * from "./cutout";
