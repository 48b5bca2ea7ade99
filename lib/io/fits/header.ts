// FITS header cards: 80-character records (FITS Standard 4.0, section 4), parsed and formatted.
// Parsing follows astropy: HIERARCH keys lose their prefix, CONTINUE cards join into one long string,
// commentary cards (COMMENT, HISTORY, blank key) keep their text and their place.
export type CardValue = string | number | boolean | bigint;

export interface FitsCard {
  key: string;
  /** Integers beyond 2^53 (e.g. BZERO = 2^63 for unsigned 64-bit data) are bigints, to stay exact. */
  value?: CardValue;
  comment?: string;
}

/** A parsed header: its cards in file order, with keyed look-up of the first card of each key. */
export class Header {
  constructor(readonly cards: FitsCard[]) {}

  get(key: string): CardValue | undefined {
    const k = key.toUpperCase();
    return this.cards.find((c) => c.key === k)?.value;
  }

  has(key: string): boolean {
    const k = key.toUpperCase();
    return this.cards.some((c) => c.key === k);
  }

  /** A numeric value (bigints converted) or `fallback` when the card is absent. */
  number(key: string, fallback?: number): number | undefined {
    const v = this.get(key);
    if (v === undefined) return fallback;
    if (typeof v === "bigint") return Number(v);
    return typeof v === "number" ? v : undefined;
  }

  /** The value of a card that must be an integer; throws naming `where` and the card otherwise. */
  integer(key: string, where: string, fallback?: number): number {
    const v = this.get(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      const shown = typeof v === "string" ? `'${v}'` : String(v); // a quoted '100' is a string, not the number 100
      throw new Error(
        `${where}: ${v === undefined ? `missing card ${key}` : `card ${key} = ${shown} is not an integer`}`,
      );
    }
    return v;
  }
}

const COMMENTARY = new Set(["COMMENT", "HISTORY", ""]);
const KEY = /^[A-Z0-9_-]{1,8}$/;
const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;

/** Splits `text` (after the value indicator) into value and comment. */
function parseValue(text: string, where: string): { value?: CardValue; comment?: string } {
  const t = text.trimStart();
  if (t.startsWith("'")) {
    let i = 1;
    let s = "";
    for (;;) {
      const q = t.indexOf("'", i);
      if (q < 0) throw new Error(`${where}: string value has no closing quote`);
      s += t.slice(i, q);
      if (t[q + 1] === "'") {
        s += "'";
        i = q + 2;
      } else {
        i = q + 1;
        break;
      }
    }
    const rest = t.slice(i);
    const slash = rest.indexOf("/");
    if (rest.slice(0, slash < 0 ? undefined : slash).trim() !== "")
      throw new Error(`${where}: unexpected text after the string value`);
    return { value: s.trimEnd(), comment: slash < 0 ? undefined : rest.slice(slash + 1).trim() };
  }
  const slash = t.indexOf("/");
  const body = (slash < 0 ? t : t.slice(0, slash)).trim();
  const comment = slash < 0 ? undefined : t.slice(slash + 1).trim();
  if (body === "") return { comment }; // undefined value
  if (body === "T" || body === "F") return { value: body === "T", comment };
  if (INT.test(body)) {
    const n = Number(body);
    return { value: Number.isSafeInteger(n) ? n : BigInt(body), comment };
  }
  if (FLOAT.test(body)) return { value: Number(body.replace(/[Dd]/, "E")), comment };
  const complex = /^\(.*\)$/.test(body) ? "; complex values are not supported" : "";
  throw new Error(`${where}: cannot parse value '${body}' (not a FITS string, logical, integer or real${complex})`);
}

// Cards that define the data's layout: a bad value there makes the data unreadable, so it stays an error.
const STRUCTURAL = new RegExp(
  "^(SIMPLE|XTENSION|BITPIX|NAXIS\\d*|PCOUNT|GCOUNT|GROUPS|EXTEND|TFIELDS|TFORM\\d+|TBCOL\\d+|THEAP" +
    "|ZIMAGE|ZBITPIX|ZNAXIS\\d*|ZTILE\\d+|ZCMPTYPE)$",
);

/**
 * A keyed card's value and comment. A value that cannot be parsed on a non-structural card is kept as the
 * string of its text with a warning, as astropy does: it opens the file and its verify('fix') turns such a value
 * into a string (e.g. `SKEW = -1.38E+00, -1.69E+00` in astropy's wcs/tests/data/dss.14.29.56-62.41.05.fits.gz).
 */
function parseKeyed(
  key: string,
  text: string,
  where: string,
  warnings?: string[],
): { value?: CardValue; comment?: string } {
  try {
    return parseValue(text, where);
  } catch (e) {
    if (STRUCTURAL.test(key) || !warnings) throw e;
    const t = text.trimStart();
    // As astropy's fix: without a quote, the comment starts at the first '/'; a lone quote keeps everything as value.
    const slash = t.startsWith("'") ? -1 : t.indexOf("/");
    const value = (slash < 0 ? t : t.slice(0, slash)).trim().replace(/^'/, "").trimEnd();
    const comment = slash < 0 ? undefined : t.slice(slash + 1).trim();
    const message = (e as Error).message;
    warnings.push(
      `${message}: card ${key} is not FITS standard; read on with its value as the string '${value}' (as astropy)`,
    );
    return { value, comment };
  }
}

/**
 * Parses the cards of one header (the bytes up to, not including, the END card).
 * `where` names the file and HDU for error messages; `offset` is the header's byte offset in the file.
 * With `warnings`, a malformed non-structural card is kept (see parseKeyed) and a warning naming it is added there;
 * without, it is an error.
 */
export function parseHeader(text: string, where: string, offset: number, warnings?: string[]): Header {
  const cards: FitsCard[] = [];
  for (let at = 0; at < text.length; at += 80) {
    const image = text.slice(at, at + 80);
    const cardWhere = `${where}, card ${at / 80 + 1} at byte ${offset + at}`;
    if (!/^[\x20-\x7e]*$/.test(image)) throw new Error(`${cardWhere}: card has non-ASCII or control characters`);
    let key = image.slice(0, 8).trimEnd();
    if (key === "CONTINUE" && image.slice(8, 10) !== "= ") {
      const prev = cards[cards.length - 1];
      if (prev && typeof prev.value === "string" && prev.value.endsWith("&")) {
        const { value, comment } = parseValue(image.slice(8), cardWhere);
        prev.value = prev.value.slice(0, -1) + String(value ?? "");
        if (comment) prev.comment = prev.comment ? `${prev.comment} ${comment}` : comment;
        continue;
      }
    }
    if (key === "HIERARCH") {
      const eq = image.indexOf("=");
      if (eq < 0) throw new Error(`${cardWhere}: HIERARCH card without '='`);
      key = image.slice(9, eq).trim().toUpperCase();
      cards.push({ key, ...parseKeyed(key, image.slice(eq + 1), cardWhere, warnings) });
      continue;
    }
    if (COMMENTARY.has(key) || image.slice(8, 10) !== "= ") {
      if (!COMMENTARY.has(key) && !KEY.test(key)) throw new Error(`${cardWhere}: invalid keyword '${key}'`);
      cards.push({ key, value: image.slice(8).trimEnd() });
      continue;
    }
    if (!KEY.test(key)) throw new Error(`${cardWhere}: invalid keyword '${key}'`);
    cards.push({ key, ...parseKeyed(key, image.slice(10), cardWhere, warnings) });
  }
  // Blank cards before END are kept: astropy counts them (len(header), info()'s Cards column), e.g. its checksum.fits.
  return new Header(cards);
}

function formatValue(key: string, v: CardValue): string {
  if (typeof v === "boolean") return (v ? "T" : "F").padStart(20);
  if (typeof v === "bigint") return String(v).padStart(20);
  if (typeof v === "number") {
    if (!Number.isFinite(v))
      throw new Error(`FITS card ${key}: value ${v} is not finite (FITS headers cannot hold NaN or Inf)`);
    // Integers stay integers; other numbers use FITS's upper-case exponent.
    const text = Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v) : String(v).toUpperCase();
    return text.padStart(20);
  }
  if (!/^[\x20-\x7e]*$/.test(v)) throw new Error(`FITS card ${key}: string value has non-ASCII or control characters`);
  // Padded like astropy's cards (value field of 20 columns): astropy re-renders CHECKSUM this way to verify it.
  return `'${v.replace(/'/g, "''").padEnd(8)}'`.padEnd(20);
}

const HIERARCH_KEY = /^[A-Z0-9_-]+( [A-Z0-9_-]+)*$/;

/** A string too long for one card: pieces of at most 67 characters + '&', the rest on CONTINUE cards (as astropy). */
function formatLongString(key: string, v: string, comment: string | undefined): string {
  const pieces: string[] = [];
  let piece = "";
  for (const ch of v) {
    const add = ch === "'" ? "''" : ch;
    if (piece.length + add.length > 67) {
      pieces.push(piece);
      piece = "";
    }
    piece += add;
  }
  pieces.push(piece);
  // As astropy: a comment goes on a final CONTINUE card of its own, so it is never cut short.
  if (comment) pieces.push("");
  return pieces
    .map((p, i) => {
      const last = i === pieces.length - 1;
      const text = `${i === 0 ? `${key.padEnd(8)}= ` : "CONTINUE  "}'${p}${last ? "" : "&"}'`;
      return (last && comment ? `${text} / ${comment}`.slice(0, 80) : text).padEnd(80);
    })
    .join("");
}

/**
 * One card (80 characters), or several for a long string (CONTINUE). Keys longer than 8 characters or with
 * spaces are written as HIERARCH cards. Throws if the key is invalid or the value does not fit.
 */
export function formatCard(card: FitsCard): string {
  const key = card.key.toUpperCase();
  if (COMMENTARY.has(key)) {
    const text = `${key.padEnd(8)}${card.comment ?? String(card.value ?? "")}`;
    if (text.length > 80) throw new Error(`FITS ${key} card longer than 80 characters`);
    return text.padEnd(80);
  }
  if (key.startsWith("HIERARCH ")) return formatCard({ ...card, key: key.slice(9).trim() });
  const hierarch = !KEY.test(key);
  if (hierarch && !HIERARCH_KEY.test(key))
    throw new Error(`FITS card key '${card.key}' is not 1-8 characters of A-Z, 0-9, '_' or '-' (nor a HIERARCH key)`);
  if (card.value === undefined) {
    if (hierarch) throw new Error(`FITS card key '${card.key}': a HIERARCH card needs a value`);
    return key.padEnd(80);
  }
  const value = formatValue(key, card.value);
  if (!hierarch && typeof card.value === "string" && value.length > 70)
    return formatLongString(key, card.value, card.comment);
  let text = hierarch ? `HIERARCH ${key} = ${value.trim()}` : `${key.padEnd(8)}= ${value}`;
  if (text.length > 80) throw new Error(`FITS card ${key}: value too long for one card`);
  if (card.comment) text = `${text} / ${card.comment}`.slice(0, 80);
  return text.padEnd(80);
}

/** Header cards plus END, padded with blanks to a multiple of 2880 bytes. */
export function formatHeader(cards: FitsCard[]): Buffer {
  const text = cards.map(formatCard).join("") + "END".padEnd(80);
  return Buffer.from(text.padEnd(Math.ceil(text.length / 2880) * 2880, " "), "ascii");
}
