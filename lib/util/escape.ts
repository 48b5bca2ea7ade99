// %-escaping (as in URLs): each character matched by `unsafe` becomes the %XX of its UTF-8 bytes. Escaping '%'
// too keeps the mapping one to one.

/** `unsafe` must be a global, unicode-aware pattern matching single characters, e.g. /[^A-Za-z0-9]/gu. */
export function percentEscape(text: string, unsafe: RegExp): string {
  return text.replace(unsafe, (ch) => Array.from(Buffer.from(ch, "utf8"), (b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));
}
