// FITS I/O. Writing only so far; the reader with section reads comes with the FITS issue.
export * from "./header";
export * from "./write";
