// Opening a FITS file: headers of every HDU are parsed up front, data stay on disk until asked for
// (astropy's `fits.open` -> list of HDUs with `.header`; our `readImage`/`section`/`readTable` read the data).
import * as fs from "node:fs";
import { Header, parseHeader } from "./header";
import { ByteSource, openSource } from "./source";
import { CompressedImage } from "./compressed/image";
import { compressedImageHeader, DEFAULT_COMPRESSED_NAME } from "./compressed/image-header";
import { Bitpix, BITPIXES, bytesPer, decodeStored, isBitpix, PixelArray, Scaling, toPhysical } from "./pixels";
import { readSection, SectionBox, SectionOptions, FitsSection } from "./section";
import { readTable, FitsTable, TableOptions } from "./table";
import { shorten } from "../../util/escape";

export const BLOCK = 2880;

export interface ReadOptions {
  /** Stored values, without BZERO/BSCALE/BLANK (default: physical values). */
  raw?: boolean;
  /** Return float64 physical values as float32 (rounded); default keeps float64. */
  float32?: boolean;
}

export interface FitsImage {
  /** FITS axis order: [NAXIS1 (x, columns), NAXIS2 (y, rows), ...]. */
  shape: number[];
  /** Row-major, first row = FITS y = 1. */
  data: PixelArray;
}

export type HduType = "PRIMARY" | "IMAGE" | "BINTABLE" | "TABLE" | string;

export class Hdu {
  /** e.g. "/data/ngc628.fits HDU 1 (F555W)": the prefix of every error about this HDU. */
  readonly where: string;
  private compressedImage: CompressedImage | undefined;

  constructor(
    readonly file: FitsFile,
    readonly index: number,
    /** The header (for a tile-compressed image: the image's header, as astropy's CompImageHDU.header). */
    readonly header: Header,
    readonly headerOffset: number,
    readonly dataOffset: number,
    /** Size of the data unit in bytes, without the padding to 2880. */
    readonly dataBytes: number,
    /** For a tile-compressed image (ZIMAGE = T): the BINTABLE header as stored. */
    readonly tableHeader?: Header,
  ) {
    const name = this.name;
    this.where = `${file.path} HDU ${index}${name && name !== "PRIMARY" ? ` (${name})` : ""}`;
  }

  /** The header as it is on disk (the table's for a compressed image): what CHECKSUM/DATASUM cover. */
  get storedHeader(): Header {
    return this.tableHeader ?? this.header;
  }

  /** The decoder of a tile-compressed image, or undefined; built on first use, so `info` lists what it cannot decode. */
  get compressed(): CompressedImage | undefined {
    if (!this.tableHeader) return undefined;
    this.compressedImage ??= new CompressedImage(this, this.tableHeader);
    return this.compressedImage;
  }

  /** "PRIMARY" for the first HDU, "IMAGE" for a compressed image, else the XTENSION value (IMAGE, BINTABLE, ...). */
  get type(): HduType {
    if (this.tableHeader) return "IMAGE";
    return this.index === 0 ? "PRIMARY" : String(this.header.get("XTENSION")).trim();
  }

  /** EXTNAME, else "PRIMARY" for HDU 0, "COMPRESSED_IMAGE" for a compressed image and "" for extensions (as astropy). */
  get name(): string {
    const n = this.header.get("EXTNAME");
    if (n !== undefined) return String(n).toUpperCase();
    return this.tableHeader ? DEFAULT_COMPRESSED_NAME : this.index === 0 ? "PRIMARY" : "";
  }

  get ver(): number {
    return this.header.number("EXTVER", 1)!;
  }

  get bitpix(): Bitpix {
    return this.header.get("BITPIX") as Bitpix;
  }

  /** NAXIS1..NAXISn (FITS order; x first). */
  get shape(): number[] {
    const n = this.header.get("NAXIS") as number;
    return Array.from({ length: n }, (_, i) => this.header.get(`NAXIS${i + 1}`) as number);
  }

  /** BSCALE, BZERO and BLANK, checked: a card of the wrong type would silently change every pixel. */
  get scaling(): Scaling {
    const h = this.header;
    const bad = (key: string, want: string) =>
      new Error(`${this.where}: card ${key} = ${describeCard(h.get(key))} is not ${want}`);
    const bscale = h.get("BSCALE") ?? 1;
    if (typeof bscale !== "number" || !Number.isFinite(bscale) || bscale === 0)
      throw bad("BSCALE", "a non-zero finite number");
    const bzero = h.get("BZERO") ?? 0;
    if (typeof bzero !== "bigint" && (typeof bzero !== "number" || !Number.isFinite(bzero)))
      throw bad("BZERO", "a finite number");
    const blank = h.get("BLANK");
    const integerData = this.bitpix > 0;
    const blankIsInteger = typeof blank === "bigint" || (typeof blank === "number" && Number.isInteger(blank));
    // astropy ignores BLANK on floating-point data (NaN marks missing values there), so only integer data need it valid.
    if (integerData && blank !== undefined && !blankIsInteger) throw bad("BLANK", "an integer");
    return { bitpix: this.bitpix, bscale, bzero, blank: blankIsInteger ? (blank as number | bigint) : undefined };
  }

  /** Throws unless this HDU holds an image (primary array or IMAGE extension) with data. */
  assertImage(): void {
    if (this.type !== "PRIMARY" && this.type !== "IMAGE")
      throw new Error(`${this.where}: is a ${this.type} extension, not an image`);
    if (this.header.get("GROUPS") === true) throw new Error(`${this.where}: random-groups data are not supported`);
  }

  /** The whole image, physical values by default (astropy's `hdu.data`). */
  readImage(options: ReadOptions = {}): FitsImage {
    this.assertImage();
    const shape = this.shape;
    if (this.compressed) return { shape, data: this.compressed.readImage(options) };
    const bytes = new Uint8Array(new ArrayBuffer(this.dataBytes));
    this.file.readAt(bytes, this.dataOffset, this.where);
    const stored = decodeStored(bytes, this.bitpix);
    return { shape, data: finish(stored, this.scaling, options) };
  }

  /** A rectangular cutout read from disk row by row (astropy's `hdu.section[y0:y1, x0:x1]`). */
  section(box: SectionBox, options: SectionOptions = {}): FitsSection {
    return readSection(this, box, options);
  }

  /** The columns of a BINTABLE extension. */
  readTable(options: TableOptions = {}): FitsTable {
    return readTable(this, options);
  }
}

/** Applies scaling (unless raw) and the optional float32 rounding. */
export function finish(stored: PixelArray, scaling: Scaling, options: ReadOptions): PixelArray {
  const data = options.raw ? stored : toPhysical(stored, scaling);
  return options.float32 && data instanceof Float64Array ? Float32Array.from(data) : data;
}

export class FitsFile {
  readonly hdus: Hdu[] = [];
  private source: ByteSource | undefined;
  /** Bytes of FITS data (after decompression for a gzipped file). */
  readonly size: number;
  /** "gzip" for a .fits.gz (decompressed when opened; see source.ts for the cost). */
  readonly compression?: "gzip";
  /** Problems read past, as astropy warns and reads on (e.g. a malformed non-structural card), each naming file, HDU and card. */
  readonly warnings: string[] = [];

  constructor(
    readonly path: string,
    source: ByteSource,
  ) {
    this.source = source;
    this.size = source.size;
    this.compression = source.compression;
  }

  /** An HDU by index or by EXTNAME (case-insensitive, first match). */
  hdu(key: number | string): Hdu {
    const hdu = typeof key === "number" ? this.hdus[key] : this.hdus.find((h) => h.name === key.toUpperCase());
    if (!hdu)
      throw new Error(
        `${this.path}: no HDU ${typeof key === "number" ? key : `named '${key}'`} (the file has ${this.hdus.length})`,
      );
    return hdu;
  }

  /** Fills `target` from byte `position`; throws naming the file if the file ends first. */
  readAt(target: Uint8Array, position: number, where: string): void {
    if (this.source === undefined) throw new Error(`${this.path}: file is closed`);
    let done = 0;
    while (done < target.length) {
      const n = this.source.read(target, done, target.length - done, position + done);
      if (n === 0)
        throw new Error(`${where}: file ends at byte ${position + done}, expected ${target.length - done} more bytes`);
      done += n;
    }
  }

  close(): void {
    this.source?.close();
    this.source = undefined;
  }
}

/**
 * Opens `path` and parses every header; the file stays open for data reads until `close()`. A gzipped file
 * (.fits.gz) is decompressed first, into memory or a temporary file (source.ts says what that costs).
 */
export function openFits(path: string): FitsFile {
  if (fs.existsSync(path) && fs.statSync(path).isDirectory())
    throw new Error(`${path}: is a folder; a FITS file was expected`);
  const source = openSource(path);
  const file = new FitsFile(path, source);
  try {
    scan(file);
    return file;
  } catch (e) {
    file.close();
    throw e;
  }
}

/** Reads `fn`'s result from a file opened for the duration of the call. */
export function withFits<T>(path: string, fn: (file: FitsFile) => T): T {
  const file = openFits(path);
  try {
    return fn(file);
  } finally {
    file.close();
  }
}

/**
 * Whether the block at `offset` starts HDU `index`: SIMPLE = T first, XTENSION after; false for the zero padding
 * astropy tolerates after the last HDU. Anything else is refused saying what was found.
 */
function startsHdu(file: FitsFile, index: number, offset: number, first: string): boolean {
  const gunzipped = file.compression === "gzip" ? "gunzipped: " : "";
  if (index === 0 && /^SIMPLE {2}=\s+F/.test(first)) {
    // astropy opens such a file as a _NonstandardHDU: a header and the rest of the file as raw bytes, no layout.
    throw new Error(
      `${file.path}: SIMPLE = F: the file says it does not conform to the FITS standard; non-standard files ` +
        `are not supported (astropy lists one as a NonstandardHDU whose data are raw bytes)`,
    );
  }
  if (index === 0 && !/^SIMPLE {2}=\s+T/.test(first)) {
    throw new Error(
      `${file.path}: not a FITS file (${gunzipped}it does not start with 'SIMPLE  =                    T')`,
    );
  }
  if (index > 0 && !first.startsWith("XTENSION")) {
    if (/^\0*$/.test(first)) return false;
    throw new Error(
      `${file.path}: unexpected bytes at byte ${offset} after HDU ${index - 1}: expected an XTENSION card ` +
        `(NAXISn of HDU ${index - 1} may be wrong, or the file has trailing garbage)`,
    );
  }
  return true;
}

/** The header blocks from `offset` (the first already read) up to the END card: their text and END's position. */
function headerBlocks(
  file: FitsFile,
  where: string,
  offset: number,
  first: string,
  readBlock: (at: number) => string | undefined,
): { text: string; end: number } {
  let text = "";
  let end = -1;
  for (let at = offset, blockText = first; end < 0; ) {
    if (blockText.length < BLOCK)
      throw new Error(
        `${where}: header starting at byte ${offset} is truncated (file ends at byte ${file.size} inside a header block)`,
      );
    for (let c = 0; c < BLOCK; c += 80) {
      if (blockText.startsWith("END     ", c) || blockText.slice(c, c + 80) === "END".padEnd(80)) {
        end = text.length + c;
        break;
      }
    }
    text += blockText;
    at += BLOCK;
    if (end < 0) {
      const next = readBlock(at);
      if (next === undefined)
        throw new Error(`${where}: header starting at byte ${offset} has no END card (file ends at byte ${file.size})`);
      blockText = next;
    }
  }
  return { text, end };
}

/** Finds every HDU: its header parsed, where its data start and how long they are, checked against the file's size. */
function scan(file: FitsFile): void {
  const block = new Uint8Array(BLOCK);
  const readBlock = (at: number): string | undefined => {
    if (at >= file.size) return undefined;
    const n = Math.min(BLOCK, file.size - at);
    file.readAt(block.subarray(0, n), at, file.path);
    return Buffer.from(block.buffer, 0, n).toString("latin1");
  };
  if (file.size < BLOCK) {
    const gunzipped = file.compression === "gzip" ? "gunzipped: " : "";
    throw new Error(
      `${file.path}: not a FITS file (${gunzipped}${file.size} bytes, less than one 2880-byte header block)`,
    );
  }
  let offset = 0;
  for (let index = 0; offset < file.size; index++) {
    const first = readBlock(offset)!;
    if (!startsHdu(file, index, offset, first)) break;
    const where = `${file.path} HDU ${index}`;
    const { text, end } = headerBlocks(file, where, offset, first, readBlock);
    const header = parseHeader(text.slice(0, end), where, offset, file.warnings);
    const dataOffset = offset + Math.ceil((end + 80) / BLOCK) * BLOCK;
    const dataBytes = dataSize(header, where, index);
    // A BINTABLE with ZIMAGE = T holds a tile-compressed image: the HDU shows the image (astropy's CompImageHDU).
    const compressed =
      index > 0 && String(header.get("XTENSION")).trim() === "BINTABLE" && header.get("ZIMAGE") === true;
    if (dataOffset + dataBytes > file.size) {
      throw new Error(
        `${where}: data need ${dataBytes} bytes from byte ${dataOffset} (${describeSize(header)}) but the file ends at byte ${file.size}: ` +
          `the file is truncated or NAXISn is wrong`,
      );
    }
    if (compressed)
      file.hdus.push(new Hdu(file, index, compressedImageHeader(header), offset, dataOffset, dataBytes, header));
    else file.hdus.push(new Hdu(file, index, header, offset, dataOffset, dataBytes));
    offset = dataOffset + Math.ceil(dataBytes / BLOCK) * BLOCK;
  }
}

/** Checks the structural cards and returns the data size in bytes (FITS Standard eq. 2). */
function dataSize(h: Header, where: string, index: number): number {
  const first = h.cards[0]?.key;
  if (index === 0 ? first !== "SIMPLE" : first !== "XTENSION")
    throw new Error(`${where}: first card is ${first}, expected ${index === 0 ? "SIMPLE" : "XTENSION"}`);
  const bitpix = h.get("BITPIX");
  if (!isBitpix(bitpix))
    throw new Error(
      `${where}: invalid BITPIX ${bitpix === undefined ? "(missing)" : String(bitpix)} (must be one of ${BITPIXES.join(", ")})`,
    );
  const naxis = h.integer("NAXIS", where);
  if (naxis < 0 || naxis > 999) throw new Error(`${where}: invalid NAXIS ${naxis}`);
  let count = naxis === 0 ? 0 : 1;
  for (let i = 1; i <= naxis; i++) {
    const n = h.integer(`NAXIS${i}`, where);
    if (n < 0) throw new Error(`${where}: NAXIS${i} = ${n} is negative`);
    if (!(i === 1 && n === 0 && h.get("GROUPS") === true)) count *= n;
  }
  const pcount = h.integer("PCOUNT", where, 0);
  const gcount = h.integer("GCOUNT", where, 1);
  if (naxis === 0) return 0;
  return bytesPer(bitpix) * gcount * (pcount + count);
}

function describeSize(h: Header): string {
  const n = h.get("NAXIS") as number;
  const axes = Array.from({ length: n }, (_, i) => `NAXIS${i + 1}=${h.get(`NAXIS${i + 1}`)}`);
  const pc = h.number("PCOUNT", 0);
  return `${axes.join(" x ")} x ${Math.abs(h.get("BITPIX") as number) / 8} bytes${pc ? ` + PCOUNT=${pc}` : ""}`;
}

/** A card value for a message: strings quoted, long values cut. */
function describeCard(v: unknown): string {
  return shorten(typeof v === "string" ? `'${v}'` : String(v));
}
