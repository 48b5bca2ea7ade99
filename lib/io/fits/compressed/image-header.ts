// The header of the image inside a tile-compressed BINTABLE, built from the table's header as astropy's
// CompImageHDU.header builds it (astropy 5.2 hdu/compressed.py): the table's cards minus the tiling convention's
// reserved ones, with ZBITPIX/ZNAXISn/... moved back to BITPIX/NAXISn/... at the same places. astropy's info()
// counts these cards, and WCS, BSCALE/BZERO/BLANK and the cutout's copied cards are read from it.
import { CardValue, FitsCard, Header } from "../header";

/** The table-column keywords (astropy's column.KEYWORD_NAMES) reserved as TXXXXn. */
const TABLE_KEYWORDS = new Set([
  "TTYPE",
  "TFORM",
  "TUNIT",
  "TNULL",
  "TSCAL",
  "TZERO",
  "TDISP",
  "TBCOL",
  "TDIM",
  "TCTYP",
  "TCUNI",
  "TCRPX",
  "TCRVL",
  "TCDLT",
  "TRPOS",
]);
/** Z keywords reserved without an index, and those reserved with one (astropy's CompImageHeader). */
const Z_KEYWORDS = new Set([
  "ZSIMPLE",
  "ZTENSION",
  "ZBITPIX",
  "ZNAXIS",
  "ZEXTEND",
  "ZBLOCKED",
  "ZPCOUNT",
  "ZGCOUNT",
  "ZHECKSUM",
  "ZDATASUM",
  "ZIMAGE",
  "ZCMPTYPE",
  "ZMASKCMP",
  "ZQUANTIZ",
  "ZDITHER0",
]);
const Z_INDEXED = new Set(["ZNAXIS", "ZTILE", "ZNAME", "ZVAL"]);
const COMMENTARY = new Set(["COMMENT", "HISTORY", ""]);
export const DEFAULT_COMPRESSED_NAME = "COMPRESSED_IMAGE";

/** astropy's CompImageHeader._is_reserved_keyword, with its regular expressions' quirks (ZDITHER0 is kept). */
export function isReservedKeyword(key: string): boolean {
  if (key === "TFIELDS") return true;
  const t = /^(T[A-Z]*)([1-9][0-9 ]*)$/.exec(key);
  if (t && TABLE_KEYWORDS.has(t[1])) return true;
  const z = /^(Z[A-Z]*)([1-9][0-9 ]*$)?/i.exec(key);
  if (z) {
    const label = z[1].toUpperCase();
    if (z[2] !== undefined && Z_INDEXED.has(label)) return true;
    if (z[2] === undefined && Z_KEYWORDS.has(label)) return true;
  }
  return false;
}

/** A card list with astropy Header.set's semantics: update in place (optionally moving), else insert or append. */
class CardList {
  constructor(readonly cards: FitsCard[]) {}

  index(key: string): number {
    return this.cards.findIndex((c) => c.key === key);
  }

  /** Sets `key`; an existing card keeps its comment unless one is given; `at` moves or places the card. */
  set(
    key: string,
    value: CardValue | undefined,
    comment: string | undefined,
    at?: { before: number } | { after: string },
  ): void {
    const i = this.index(key);
    let card: FitsCard;
    if (i >= 0) {
      card = { ...this.cards[i], value, comment: comment ?? this.cards[i].comment };
      if (at === undefined) {
        this.cards[i] = card;
        return;
      }
      this.cards.splice(i, 1);
    } else {
      card = { key, value, comment };
    }
    if (at === undefined) {
      // Header.append: after the last card that is not commentary.
      let last = this.cards.length;
      while (last > 0 && COMMENTARY.has(this.cards[last - 1].key)) last--;
      this.cards.splice(last, 0, card);
    } else if ("before" in at) {
      this.cards.splice(at.before, 0, card);
    } else {
      this.cards.splice(this.index(at.after) + 1, 0, card);
    }
  }

  remove(key: string): void {
    for (let i = this.cards.length - 1; i >= 0; i--) if (this.cards[i].key === key) this.cards.splice(i, 1);
  }
}

/** astropy's _remove_unnecessary_default_extnames: extra EXTNAME = 'COMPRESSED_IMAGE' cards go. */
function dropDefaultExtnames(cards: FitsCard[]): FitsCard[] {
  const names = cards.filter((c) => c.key === "EXTNAME");
  if (names.length < 2) return cards;
  const defaults = names.filter((c) => c.value === DEFAULT_COMPRESSED_NAME);
  const drop = new Set(defaults.length === names.length ? defaults.slice(1) : defaults);
  return cards.filter((c) => !drop.has(c));
}

/** The image header of a compressed-image table header. */
export function compressedImageHeader(table: Header): Header {
  const t = (key: string) => table.cards.find((c) => c.key === key);
  // A card that exists passes its comment, "" when it has none (astropy's comments[key]); a missing one keeps the old.
  const comment = (key: string) => (t(key) ? (t(key)!.comment ?? "") : undefined);
  const h = new CardList(
    dropDefaultExtnames(table.cards)
      .filter((c) => !isReservedKeyword(c.key))
      .map((c) => ({ ...c })),
  );
  if (t("ZSIMPLE")) {
    h.set("SIMPLE", t("ZSIMPLE")!.value, comment("ZSIMPLE"), { before: 0 });
    h.remove("XTENSION");
  } else {
    h.set("XTENSION", "IMAGE", comment("ZTENSION"), { before: 0 });
  }
  h.set("BITPIX", t("ZBITPIX")?.value, comment("ZBITPIX"), { before: 1 });
  h.set("NAXIS", t("ZNAXIS")?.value, comment("ZNAXIS"), { before: 2 });
  const naxis = Number(t("ZNAXIS")?.value ?? 0);
  let last = "NAXIS";
  for (let i = 1; i <= naxis; i++) {
    h.set(`NAXIS${i}`, t(`ZNAXIS${i}`)?.value, comment(`ZNAXIS${i}`), { after: last });
    last = `NAXIS${i}`;
  }
  for (const c of [...h.cards]) {
    const m = /^NAXIS(\d+)$/.exec(c.key);
    if (m && Number(m[1]) > naxis) h.remove(c.key);
  }
  h.set("PCOUNT", t("ZPCOUNT")?.value ?? 0, comment("ZPCOUNT"), { after: last });
  h.set("GCOUNT", t("ZGCOUNT")?.value ?? 1, comment("ZGCOUNT"), { after: "PCOUNT" });
  for (const [from, to] of [
    ["ZEXTEND", "EXTEND"],
    ["ZBLOCKED", "BLOCKED"],
    ["ZHECKSUM", "CHECKSUM"],
    ["ZDATASUM", "DATASUM"],
  ]) {
    const card = t(from);
    if (card) h.set(to, card.value, comment(from));
  }
  if (h.cards.find((c) => c.key === "EXTNAME")?.value === DEFAULT_COMPRESSED_NAME) h.remove("EXTNAME");
  if (h.index("SIMPLE") >= 0) {
    h.remove("PCOUNT");
    h.remove("GCOUNT");
  }
  return new Header(h.cards);
}
