// FITS header cards: 80-character records in fixed format (FITS Standard 4.0, section 4).
export interface FitsCard {
  key: string;
  value?: string | number | boolean;
  comment?: string;
}

const KEY = /^[A-Z0-9_-]{1,8}$/;

function formatValue(key: string, v: string | number | boolean): string {
  if (typeof v === "boolean") return (v ? "T" : "F").padStart(20);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`FITS card ${key}: value ${v} is not finite (FITS headers cannot hold NaN or Inf)`);
    // Integers stay integers; other numbers use FITS's upper-case exponent.
    const text = Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v) : String(v).toUpperCase();
    return text.padStart(20);
  }
  if (!/^[\x20-\x7e]*$/.test(v)) throw new Error(`FITS card ${key}: string value has non-ASCII or control characters`);
  return `'${v.replace(/'/g, "''").padEnd(8)}'`;
}

/** One 80-character card; throws if the key is invalid or the value does not fit. */
export function formatCard(card: FitsCard): string {
  const key = card.key.toUpperCase();
  if (key === "COMMENT" || key === "HISTORY" || key === "") {
    const text = `${key.padEnd(8)}${card.comment ?? String(card.value ?? "")}`;
    if (text.length > 80) throw new Error(`FITS ${key} card longer than 80 characters`);
    return text.padEnd(80);
  }
  if (!KEY.test(key)) throw new Error(`FITS card key '${card.key}' is not 1-8 characters of A-Z, 0-9, '_' or '-'`);
  if (card.value === undefined) return key.padEnd(80);
  let text = `${key.padEnd(8)}= ${formatValue(key, card.value)}`;
  if (text.length > 80) throw new Error(`FITS card ${key}: value too long for one card`);
  if (card.comment) text = `${text} / ${card.comment}`.slice(0, 80);
  return text.padEnd(80);
}

/** Header cards plus END, padded with blanks to a multiple of 2880 bytes. */
export function formatHeader(cards: FitsCard[]): Buffer {
  const text = cards.map(formatCard).join("") + "END".padEnd(80);
  return Buffer.from(text.padEnd(Math.ceil(text.length / 2880) * 2880, " "), "ascii");
}
