// PLIO_1 decompression: IRAF's pixel-list line-list encoding (FITS Standard 4.0 section 10.4.4), ported from
// cfitsio's pl_l2pi (pliocomp.c, itself translated from IRAF's SPP). The stream is 16-bit words; each word holds a
// 3-bit opcode and 12 bits of data: runs of zeros, runs of the current value, value changes and single pixels.

/**
 * Decodes a line list (the COMPRESSED_DATA words of one tile) into `npix` integer pixels. One function as cfitsio's
 * pl_l2pi is: a single loop over the opcodes sharing the decoder's state, kept beside it for comparison.
 */
export function plioDecode(words: Int16Array, npix: number): Int32Array {
  const out = new Int32Array(npix);
  if (words.length < 7) throw new Error(`PLIO_1 tile of ${words.length} words is shorter than its 7-word header`);
  // 1-based indexing, as the original: ll[k] is words[k - 1].
  const ll = (k: number) => (k >= 1 && k <= words.length ? words[k - 1] : 0);
  let lllen: number;
  let llfirt: number;
  if (ll(3) > 0) {
    lllen = ll(3);
    llfirt = 4;
  } else {
    lllen = (ll(5) << 15) + ll(4);
    llfirt = ll(2) + 1;
  }
  if (npix <= 0 || lllen <= 0) return out;
  const xs = 1;
  const xe = xs + npix - 1;
  let op = 1;
  let x1 = 1;
  let pv = 1;
  let skipwd = false;
  const put = (i: number, v: number) => {
    if (i >= 1 && i <= npix) out[i - 1] = v;
  };
  for (let ip = llfirt; ip <= lllen; ip++) {
    if (skipwd) {
      skipwd = false;
      continue;
    }
    const word = ll(ip);
    const opcode = Math.trunc(word / 4096);
    const data = word & 4095;
    switch (opcode) {
      case 0: // run of zeros
      case 4: // run of the current value
      case 5: {
        // run of zeros ending with the current value
        const x2 = x1 + data - 1;
        const i1 = Math.max(x1, xs);
        const i2 = Math.min(x2, xe);
        const np = i2 - i1 + 1;
        if (np > 0) {
          const otop = op + np - 1;
          for (let i = op; i <= otop; i++) put(i, opcode === 4 ? pv : 0);
          if (opcode === 5 && i2 === x2) put(otop, pv);
          op = otop + 1;
        }
        x1 = x2 + 1;
        break;
      }
      case 1: // set the value from this word and the next
        pv = (ll(ip + 1) << 12) + data;
        skipwd = true;
        break;
      case 2:
        pv += data;
        break;
      case 3:
        pv -= data;
        break;
      case 6: // change the value and output one pixel
      case 7:
        pv += opcode === 6 ? data : -data;
        if (x1 >= xs && x1 <= xe) put(op++, pv);
        x1++;
        break;
      default:
        break;
    }
    if (x1 > xe) break;
  }
  return out;
}
