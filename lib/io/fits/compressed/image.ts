// A tile-compressed image (FITS Standard 4.0 section 10, "tiled image compression"; astropy's CompImageHDU): a
// BINTABLE with ZIMAGE = T whose rows are the image's tiles. The table and its small header are read once; a tile's
// bytes are fetched from the heap and decoded only when a read needs it, and recently decoded tiles are kept (up to
// TILE_CACHE_BYTES) so that neighbouring sections, e.g. curation's stamps, do not decode a tile again.
// Values equal astropy 5.2's (cfitsio 4.2 underneath) bit for bit, with one deliberate difference: pixels of a
// quantised float tile whose stored value is ZBLANK (column or keyword; cfitsio/fpack write it for NaN) are NaN, as
// the standard and cfitsio's own readers say, where astropy 5.2 reads without a null check and returns the
// dequantised sentinel (about -2^31 x ZSCALE, e.g. -1.5e8). (astropy 5.2 itself writes NaN without ZBLANK, as an
// arbitrary quantised value: such files hold that garbage, and both readers return it.)
import type { Header } from "../header";
import { Bitpix, isBitpix, PixelArray, physicalKind, Scaling, toPhysical } from "../pixels";
import type { Hdu, ReadOptions } from "../read";
import { columnLayout, ColumnLayout } from "../table";
import { Codec, CODECS, KNOWN_UNSUPPORTED, TilePixels } from "./codecs";
import { DitherMethod, unquantize } from "./quantize";

/** Decoded tiles kept per image, in bytes. */
export const TILE_CACHE_BYTES = 64 << 20;

interface ColumnRef {
  layout: ColumnLayout;
  /** Element type of a variable-length column (B, I, J, E, D), or the fixed column's code. */
  element: string;
}

interface Layout {
  zbitpix: Bitpix;
  /** ZNAXISn: the image's shape, FITS order. */
  shape: number[];
  /** ZTILEn (default: whole rows). */
  tile: number[];
  /** Tiles along each axis. */
  ntiles: number[];
  cmptype: string;
  codec: Codec;
  params: Map<string, number>;
  rows: number;
  rowBytes: number;
  /** File offset of the heap (data start + THEAP). */
  heap: number;
  columns: {
    compressed: ColumnRef;
    gzip?: ColumnRef;
    uncompressed?: ColumnRef;
    zscale?: ColumnRef;
    zzero?: ColumnRef;
    zblank?: ColumnRef;
  };
  /** Floats stored as quantised integers (else raw, lossless). */
  quantised: boolean;
  dither: DitherMethod;
  ditherSeed: number;
  /** Keyword values used when there is no column. */
  zscale?: number;
  zzero?: number;
  zblank?: number;
}

const ELEMENT_BYTES: Record<string, number> = { B: 1, I: 2, J: 4, K: 8, E: 4, D: 8 };
const DITHERS: DitherMethod[] = ["NO_DITHER", "SUBTRACTIVE_DITHER_1", "SUBTRACTIVE_DITHER_2"];

/** ZCMPTYPE's codec, refused by name when unsupported, and its ZNAMEn = ZVALn parameters. */
function compressionOf(table: Header, where: string): Pick<Layout, "cmptype" | "codec" | "params"> {
  const cmptype = String(table.get("ZCMPTYPE") ?? "")
    .trim()
    .toUpperCase();
  const codec = CODECS[cmptype];
  if (!codec) {
    const known = KNOWN_UNSUPPORTED.includes(cmptype) ? "is not supported" : "is not a known compression type";
    const supported = Object.keys(CODECS).join(", ");
    throw new Error(
      `${where}: ZCMPTYPE = '${cmptype}' ${known}; supported: ${supported} (astropy or funpack can decompress it)`,
    );
  }
  const params = new Map<string, number>();
  for (let i = 1; table.get(`ZNAME${i}`) !== undefined; i++) {
    params.set(
      String(table.get(`ZNAME${i}`))
        .trim()
        .toUpperCase(),
      Number(table.get(`ZVAL${i}`)),
    );
  }
  return { cmptype, codec, params };
}

/** The table's columns by their standard names; COMPRESSED_DATA is required. */
function compressedColumns(table: Header, where: string): Layout["columns"] {
  const cols = columnLayout(table, where);
  const find = (name: string): ColumnRef | undefined => {
    const layout = cols.find((c) => c.name.trim().toUpperCase() === name);
    if (!layout) return undefined;
    const element = layout.code === "P" || layout.code === "Q" ? layout.format.replace(/^\d*[PQ]/, "")[0] : layout.code;
    return { layout, element };
  };
  const compressed = find("COMPRESSED_DATA");
  if (!compressed) throw new Error(`${where}: compressed image without a COMPRESSED_DATA column`);
  return {
    compressed,
    gzip: find("GZIP_COMPRESSED_DATA"),
    uncompressed: find("UNCOMPRESSED_DATA"),
    zscale: find("ZSCALE"),
    zzero: find("ZZERO"),
    zblank: find("ZBLANK"),
  };
}

/**
 * Whether floats are quantised, and how they were dithered. They are unless ZQUANTIZ = 'NONE' or NOISEBIT = 0
 * (astropy's lossless cases), and need a ZSCALE.
 */
function quantisationOf(
  table: Header,
  where: string,
  zbitpix: Bitpix,
  columns: Layout["columns"],
  params: Map<string, number>,
): Pick<Layout, "quantised" | "dither" | "ditherSeed"> {
  const zquantiz = String(table.get("ZQUANTIZ") ?? "NO_DITHER")
    .trim()
    .toUpperCase();
  const hasScale = columns.zscale !== undefined || table.number("ZSCALE") !== undefined;
  const quantised = zbitpix < 0 && zquantiz !== "NONE" && params.get("NOISEBIT") !== 0 && hasScale;
  if (quantised && !DITHERS.includes(zquantiz as DitherMethod)) {
    throw new Error(`${where}: ZQUANTIZ = '${zquantiz}' is not a known quantisation method`);
  }
  const ditherSeed = table.integer("ZDITHER0", where, 0);
  if (quantised && zquantiz !== "NO_DITHER" && table.get("ZDITHER0") === undefined) {
    throw new Error(`${where}: ZQUANTIZ = '${zquantiz}' without ZDITHER0`);
  }
  return { quantised, dither: zquantiz as DitherMethod, ditherSeed };
}

/** The tiling and columns of a compressed-image table, checked; unsupported compression is refused by name. */
function readLayout(table: Header, where: string, dataOffset: number): Layout {
  const int = (key: string, fallback?: number) => table.integer(key, where, fallback);
  const zbitpix = table.get("ZBITPIX");
  if (!isBitpix(zbitpix)) throw new Error(`${where}: compressed image with invalid ZBITPIX ${String(zbitpix)}`);
  const naxis = int("ZNAXIS");
  const shape = Array.from({ length: naxis }, (_, i) => int(`ZNAXIS${i + 1}`));
  const tile = shape.map((n, i) => int(`ZTILE${i + 1}`, i === 0 ? n : 1));
  if (tile.some((t) => t <= 0)) throw new Error(`${where}: ZTILEn must be positive, got ${tile.join(", ")}`);
  const compression = compressionOf(table, where);
  const columns = compressedColumns(table, where);
  const quantisation = quantisationOf(table, where, zbitpix, columns, compression.params);
  const rows = int("NAXIS2");
  const rowBytes = int("NAXIS1");
  const ntiles = shape.map((n, i) => Math.ceil(n / tile[i]));
  const expected = ntiles.reduce((a, b) => a * b, 1);
  if (rows !== expected) {
    throw new Error(
      `${where}: ${rows} table rows for ${expected} tiles of ${tile.join(" x ")} in a ${shape.join(" x ")} image`,
    );
  }
  const num = (key: string) => table.number(key);
  return {
    zbitpix,
    shape,
    tile,
    ntiles,
    ...compression,
    rows,
    rowBytes,
    heap: dataOffset + int("THEAP", rowBytes * rows),
    columns,
    ...quantisation,
    zscale: num("ZSCALE"),
    zzero: num("ZZERO"),
    zblank: columns.zblank ? undefined : (num("ZBLANK") ?? num("BLANK")),
  };
}

const STORED_ARRAY: Record<number, new (n: number) => PixelArray> = {
  8: Uint8Array,
  16: Int16Array,
  32: Int32Array,
  64: BigInt64Array,
  [-32]: Float32Array,
  [-64]: Float64Array,
};

/** The image part of a compressed HDU: geometry, tile decoding, region reads, astropy's scaling. */
export class CompressedImage {
  private readonly layout: Layout;
  private table: Uint8Array | undefined;
  private readonly cache = new Map<number, PixelArray>();
  private cachedBytes = 0;
  /** Tiles decoded so far (for tests and benchmarks: a section decodes only the tiles it touches). */
  tilesDecoded = 0;

  constructor(
    private readonly hdu: Hdu,
    readonly tableHeader: Header,
  ) {
    this.layout = readLayout(tableHeader, hdu.where, hdu.dataOffset);
  }

  get compression(): string {
    return this.layout.cmptype;
  }

  get tileShape(): number[] {
    return [...this.layout.tile];
  }

  /** Stored values (after decompression and dequantisation) of the region [lo, hi) per axis, axis 1 fastest. */
  region(lo: number[], hi: number[]): PixelArray {
    const L = this.layout;
    const size = hi.map((h, i) => h - lo[i]);
    const out = new STORED_ARRAY[L.zbitpix](size.reduce((a, b) => a * b, 1));
    const first = lo.map((l, i) => Math.floor(l / L.tile[i]));
    const last = hi.map((h, i) => Math.floor((h - 1) / L.tile[i]));
    const t = [...first];
    for (;;) {
      this.copyTile(t, lo, hi, size, out);
      if (!step(t, first, last)) break;
    }
    return out;
  }

  /** Copies the overlap of tile `t` with the region into `out`. */
  private copyTile(t: number[], lo: number[], hi: number[], size: number[], out: PixelArray): void {
    const L = this.layout;
    const start = t.map((k, i) => k * L.tile[i]);
    const extent = start.map((s, i) => Math.min(L.tile[i], L.shape[i] - s));
    const pixels = this.tile(t, extent);
    const a = start.map((s, i) => Math.max(s, lo[i]));
    const b = start.map((s, i) => Math.min(s + extent[i], hi[i]));
    // Walk the overlap one run along axis 1 at a time.
    const idx = [...a];
    for (;;) {
      let src = 0;
      let dst = 0;
      for (let i = idx.length - 1; i >= 0; i--) {
        src = src * extent[i] + (idx[i] - start[i]);
        dst = dst * size[i] + (idx[i] - lo[i]);
      }
      const run = b[0] - a[0];
      (out as Float64Array).set((pixels as Float64Array).subarray(src, src + run), dst);
      if (
        !step(
          idx,
          a,
          b.map((x) => x - 1),
          1,
        )
      )
        break;
    }
  }

  /** One tile's stored values, decoded (or from the cache). */
  private tile(t: number[], extent: number[]): PixelArray {
    const L = this.layout;
    let row = 0;
    for (let i = t.length - 1; i >= 0; i--) row = row * L.ntiles[i] + t[i];
    const hit = this.cache.get(row);
    if (hit) {
      this.cache.delete(row);
      this.cache.set(row, hit); // most recently used last
      return hit;
    }
    const npix = extent.reduce((a, b) => a * b, 1);
    let pixels: PixelArray;
    try {
      pixels = this.decode(row, npix);
    } catch (e) {
      throw new Error(`${this.hdu.where}: tile ${row + 1} (${L.cmptype}): ${(e as Error).message}`);
    }
    this.tilesDecoded++;
    this.remember(row, pixels);
    return pixels;
  }

  private remember(row: number, pixels: PixelArray): void {
    this.cache.set(row, pixels);
    this.cachedBytes += pixels.byteLength;
    for (const [key, value] of this.cache) {
      if (this.cachedBytes <= TILE_CACHE_BYTES || this.cache.size === 1) break;
      this.cache.delete(key);
      this.cachedBytes -= value.byteLength;
    }
  }

  /** The table's fixed part (rows of descriptors and per-tile ZSCALE/ZZERO/ZBLANK), read once. */
  private rowBytes(row: number): DataView {
    const L = this.layout;
    if (!this.table) {
      this.table = new Uint8Array(L.rows * L.rowBytes);
      this.hdu.file.readAt(this.table, this.hdu.dataOffset, this.hdu.where);
    }
    return new DataView(this.table.buffer, this.table.byteOffset + row * L.rowBytes, L.rowBytes);
  }

  /** A variable-length array of one row: its bytes from the heap (empty when the descriptor says 0 elements). */
  private heapBytes(row: number, col: ColumnRef): Uint8Array {
    const view = this.rowBytes(row);
    const at = col.layout.offset;
    const q = col.layout.code === "Q";
    const n = q ? Number(view.getBigInt64(at)) : view.getInt32(at);
    const offset = q ? Number(view.getBigInt64(at + 8)) : view.getInt32(at + 4);
    const bytes = new Uint8Array(n * (ELEMENT_BYTES[col.element] ?? 1));
    if (bytes.length) this.hdu.file.readAt(bytes, this.layout.heap + offset, this.hdu.where);
    return bytes;
  }

  /** A fixed numeric column's value for one row (ZSCALE, ZZERO: 1D; ZBLANK: 1J). */
  private cell(row: number, col: ColumnRef): number {
    const view = this.rowBytes(row);
    const at = col.layout.offset;
    switch (col.element) {
      case "D":
        return view.getFloat64(at);
      case "E":
        return view.getFloat32(at);
      case "J":
        return view.getInt32(at);
      case "I":
        return view.getInt16(at);
      case "K":
        return Number(view.getBigInt64(at));
      default:
        throw new Error(`column ${col.layout.name} has unsupported format ${col.layout.format}`);
    }
  }

  /** Decodes row `row` (0-based) into the image's stored type. */
  private decode(row: number, npix: number): PixelArray {
    const L = this.layout;
    const bytes = this.heapBytes(row, L.columns.compressed);
    const out = new STORED_ARRAY[L.zbitpix](npix);
    if (bytes.length === 0) return this.decodeFallback(row, npix, out);
    const ints = L.codec({ bytes, npix, zbitpix: L.zbitpix, params: L.params, floats: L.zbitpix < 0 && !L.quantised });
    if (ints.length < npix) throw new Error(`decodes to ${ints.length} pixels, the tile has ${npix}`);
    if (!L.quantised) return copyInto(ints, out, npix);
    const scale = L.columns.zscale ? this.cell(row, L.columns.zscale) : (L.zscale ?? 1);
    const zero = L.columns.zzero ? this.cell(row, L.columns.zzero) : (L.zzero ?? 0);
    const q = ints.length === npix ? ints : ints.subarray(0, npix);
    unquantize(
      q as ArrayLike<number>,
      { method: L.dither, scale, zero, seedRow: row + 1 + L.ditherSeed - 1 },
      out as Float32Array,
    );
    const zblank = L.columns.zblank ? this.cell(row, L.columns.zblank) : this.tableHeader.number("ZBLANK");
    if (zblank !== undefined) for (let i = 0; i < npix; i++) if (q[i] === zblank) out[i] = NaN;
    return out;
  }

  /** A tile that could not be quantised: its floats gzip'd in GZIP_COMPRESSED_DATA, or raw in UNCOMPRESSED_DATA. */
  private decodeFallback(row: number, npix: number, out: PixelArray): PixelArray {
    const L = this.layout;
    if (L.columns.gzip && this.heapBytes(row, L.columns.gzip).length) {
      const bytes = this.heapBytes(row, L.columns.gzip);
      const floats = CODECS.GZIP_1({ bytes, npix, zbitpix: L.zbitpix, params: L.params, floats: true });
      return copyInto(floats, out, npix);
    }
    if (L.columns.uncompressed) {
      const col = L.columns.uncompressed;
      const bytes = this.heapBytes(row, col);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      const get: Record<string, (i: number) => number> = {
        B: (i) => view.getUint8(i),
        I: (i) => view.getInt16(2 * i),
        J: (i) => view.getInt32(4 * i),
        E: (i) => view.getFloat32(4 * i),
        D: (i) => view.getFloat64(8 * i),
      };
      if (!get[col.element]) throw new Error(`UNCOMPRESSED_DATA of format ${col.layout.format} is not supported`);
      for (let i = 0; i < npix; i++) (out as Float64Array)[i] = get[col.element](i);
      return out;
    }
    throw new Error("COMPRESSED_DATA is empty and there is no GZIP_COMPRESSED_DATA or UNCOMPRESSED_DATA column");
  }

  /** BSCALE, BZERO and the blank value astropy 5.2's CompImageHDU uses (the table header's, ZBLANK before BLANK). */
  private scaling(): Scaling & { zblank?: number } {
    const s = this.hdu.scaling;
    const h = this.tableHeader;
    const zblank = this.layout.columns.zblank ? undefined : (h.number("ZBLANK") ?? h.number("BLANK"));
    return { ...s, bitpix: this.layout.zbitpix, zblank };
  }

  /**
   * Physical values as astropy 5.2's CompImageHDU.data gives them: stored values unless BSCALE/BZERO scale them;
   * then astropy's dtype and arithmetic, and NaN where the stored value equals ZBLANK (or BLANK).
   */
  finish(stored: PixelArray, options: ReadOptions): PixelArray {
    const s = this.scaling();
    if (options.raw || (s.bscale === 1 && Number(s.bzero) === 0)) return floatOption(stored, options);
    const kind = physicalKind({ ...s, blank: undefined });
    if (kind === "float32" || kind === "float64")
      return floatOption(toPhysical(stored, { ...s, blank: s.zblank }), options);
    const data = toPhysical(stored, { ...s, blank: undefined });
    if (s.zblank === undefined) return data;
    // astropy compares the converted (unsigned) values with the blank and returns float64 with NaN there.
    const out = Float64Array.from(data as ArrayLike<number>, Number);
    for (let i = 0; i < out.length; i++) if (out[i] === s.zblank) out[i] = NaN;
    return out;
  }

  readImage(options: ReadOptions): PixelArray {
    return this.finish(
      this.region(
        this.layout.shape.map(() => 0),
        this.layout.shape,
      ),
      options,
    );
  }
}

/** Advances a multi-index (axis `from` fastest) within [first, last] per axis; false once past the end. */
function step(idx: number[], first: number[], last: number[], from = 0): boolean {
  for (let axis = from; axis < idx.length; axis++) {
    if (idx[axis] < last[axis]) {
      idx[axis]++;
      return true;
    }
    idx[axis] = first[axis];
  }
  return false;
}

function floatOption(data: PixelArray, options: ReadOptions): PixelArray {
  return options.float32 && data instanceof Float64Array ? Float32Array.from(data) : data;
}

/** Copies decoded pixels into the stored-type array (BigInt64Array needs bigints). */
function copyInto(src: TilePixels, out: PixelArray, npix: number): PixelArray {
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < npix; i++) out[i] = typeof src[i] === "bigint" ? (src[i] as bigint) : BigInt(src[i] as number);
  } else if (src instanceof BigInt64Array) {
    for (let i = 0; i < npix; i++) (out as Float64Array)[i] = Number(src[i]);
  } else {
    (out as Float64Array).set((src as Float64Array).subarray(0, npix));
  }
  return out;
}
