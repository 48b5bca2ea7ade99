// Catalogs, for the public surface (lib/index.ts: `sc.catalog`); code inside lib imports the files themselves.
export * from "./record"; // CatalogRecord, CLASSES, BANDS: one object of any catalog
export * from "./read"; // readCatalog(path, { format }): LEGUS, PHANGS (CSV/FITS) or plain CSV, detected by content
export * from "./legus"; // LEGUS .tab tables
export * from "./legus-write"; // writing records in the LEGUS layout
export * from "./phangs"; // PHANGS-HST cluster catalogs
export * from "./csv"; // plain CSV catalogs
export * from "./sky"; // RA/Dec columns and sexagesimal text
export * from "./fields"; // the paper's fields (data/fields.json): distance, table, LEGUS catalog
export * from "./summary"; // summarizeCatalog: objects per class and field
