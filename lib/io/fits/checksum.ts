// FITS CHECKSUM/DATASUM (Seaman et al., FITS Checksum Proposal, adopted in FITS Standard 4.0 appendix J):
// a 32-bit ones'-complement sum of the big-endian words, DATASUM as a decimal string, CHECKSUM as 16
// characters chosen so that the whole HDU sums to -0.
import type { Hdu } from "./read";

/** Ones'-complement sum of `bytes` (a multiple of 4 long) continuing from `sum`. */
export function onesSum(bytes: Uint8Array, sum = 0): number {
  let hi = sum >>> 16;
  let lo = sum & 0xffff;
  // 16-bit halves are summed separately; the carries are folded once at the end (no overflow below 2^37 words).
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    hi += (bytes[i] << 8) | bytes[i + 1];
    lo += (bytes[i + 2] << 8) | bytes[i + 3];
  }
  for (;;) {
    const hc = Math.floor(hi / 0x10000);
    const lc = Math.floor(lo / 0x10000);
    if (hc === 0 && lc === 0) break;
    hi = (hi % 0x10000) + lc;
    lo = (lo % 0x10000) + hc;
  }
  return ((hi << 16) | lo) >>> 0;
}

const EXCLUDE = new Set([0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60]);

/** The 16-character ASCII encoding of the complement of `sum` (the CHECKSUM value). */
export function encodeChecksum(sum: number): string {
  const value = ~sum >>> 0;
  const asc = new Array<number>(16);
  for (let i = 0; i < 4; i++) {
    const byte = (value >>> (24 - 8 * i)) & 0xff;
    const ch = [0, 1, 2, 3].map(() => Math.floor(byte / 4) + 0x30);
    ch[0] += byte % 4;
    // Nudge pairs apart until none is ASCII punctuation; the pair's sum (and so the checksum) is unchanged.
    for (let changed = true; changed; ) {
      changed = false;
      for (let j = 0; j < 4; j += 2) {
        if (EXCLUDE.has(ch[j]) || EXCLUDE.has(ch[j + 1])) {
          ch[j]++;
          ch[j + 1]--;
          changed = true;
        }
      }
    }
    for (let j = 0; j < 4; j++) asc[4 * j + i] = ch[j];
  }
  // The encoding is rotated right by one character (so that it sums correctly at its place in the card).
  return String.fromCharCode(...asc.map((_, i) => asc[(i + 15) % 16]));
}

export interface ChecksumResult {
  /** null when the card is absent. */
  datasum: boolean | null;
  checksum: boolean | null;
}

/** Verifies an HDU's DATASUM and CHECKSUM cards against the bytes on disk (reads the whole HDU). */
export function verifyChecksum(hdu: Hdu): ChecksumResult {
  const padded = Math.ceil(hdu.dataBytes / 2880) * 2880;
  const data = new Uint8Array(padded);
  hdu.file.readAt(data.subarray(0, Math.min(padded, hdu.file.size - hdu.dataOffset)), hdu.dataOffset, hdu.where);
  const dataSum = onesSum(data);
  const header = new Uint8Array(hdu.dataOffset - hdu.headerOffset);
  hdu.file.readAt(header, hdu.headerOffset, hdu.where);
  const datasumCard = hdu.storedHeader.get("DATASUM");
  const checksumCard = hdu.storedHeader.get("CHECKSUM");
  return {
    datasum: datasumCard === undefined ? null : String(datasumCard).trim() === String(dataSum),
    checksum: checksumCard === undefined ? null : onesSum(header, dataSum) === 0xffffffff,
  };
}
