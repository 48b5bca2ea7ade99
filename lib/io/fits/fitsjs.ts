// fitsjs 0.6.6 (astrojs, written for browsers) in Node: the three shims it needs live here and nowhere else.
// 1. FileReader: fitsjs reads Blob slices through it; Node has Blob but no FileReader.
// 2. globalThis.astro: fitsjs registers its classes on `this` (module.exports under CommonJS) but looks them up
//    through a global `astro`.
// 3. Frame decoding: fitsjs decodes in a Web Worker built from blob: URLs; this decodes synchronously instead,
//    on a copy, because fitsjs caches the frame's buffers and its decoder byte-swaps in place.
// The project uses it only as an independent cross-check of lib/io/fits on the images it reads correctly
// (see environment.md); lib/io/fits is the reader.
import * as fs from "node:fs";

type Pixels = Uint8Array | Uint16Array | Int16Array | Int32Array | Float32Array;

interface FitsjsImage {
  width: number;
  height: number;
  bitpix: number;
  bzero: number;
  bscale: number;
  frame: number;
  _getFrame(buffer: ArrayBuffer, bitpix: number, bzero: number, bscale: number): Pixels;
  invoke(callback: unknown, opts: unknown, data: unknown): void;
  getFrame(frame: number, callback: (pixels: Pixels) => void): void;
}

interface FitsjsModule {
  FITS: (new (
    blob: Blob,
    callback: (this: { getHDU(i: number): { header: { get(k: string): unknown }; data: FitsjsImage } }) => void,
  ) => unknown) & {
    Image: { prototype: FitsjsImage & { _getFrameAsync: unknown } };
  };
}

class NodeFileReader {
  result: ArrayBuffer | null = null;
  onloadend: ((e: { target: NodeFileReader }) => void) | null = null;
  readAsArrayBuffer(blob: Blob): void {
    blob.arrayBuffer().then((buf) => {
      this.result = buf;
      this.onloadend?.({ target: this });
    });
  }
}

// The fitsjs module, loaded and patched once per process on first use.
let astro: FitsjsModule | undefined;

function load(): FitsjsModule {
  if (astro) return astro;
  const g = globalThis as unknown as { FileReader?: unknown; astro?: FitsjsModule };
  g.FileReader ??= NodeFileReader;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  astro = (require("fitsjs") as { astro: FitsjsModule }).astro;
  g.astro = astro;
  astro.FITS.Image.prototype._getFrameAsync = function (
    this: FitsjsImage,
    buffers: ArrayBuffer[],
    callback: unknown,
    opts: unknown,
  ) {
    const parts = buffers.map((b) => this._getFrame(b.slice(0), this.bitpix, this.bzero, this.bscale));
    const pixels = new (parts[0].constructor as new (n: number) => Pixels)(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      pixels.set(p as never, at);
      at += p.length;
    }
    this.invoke(callback, opts, pixels);
  };
  return astro;
}

/** Frame `frame` of the image in HDU `index`, as fitsjs decodes it (BZERO/BSCALE applied by fitsjs). */
export function readImageWithFitsjs(
  file: string,
  index: number,
  frame = 0,
): Promise<{ width: number; height: number; data: Pixels }> {
  const lib = load();
  const blob = new Blob([fs.readFileSync(file)]);
  return new Promise((resolve, reject) => {
    try {
      new lib.FITS(blob, function () {
        const image = this.getHDU(index).data;
        image.frame = frame; // getFrame(0) would keep the previous frame: fitsjs treats 0 as "no frame given"
        image.getFrame(frame, (data) => resolve({ width: image.width, height: image.height, data }));
      });
    } catch (e) {
      reject(e);
    }
  });
}
