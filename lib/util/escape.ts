// %-escaping (as in URLs): each character matched by `unsafe` becomes the %XX of its UTF-8 bytes. Escaping '%'
// too keeps the mapping one to one.

/** `unsafe` must be a global, unicode-aware pattern matching single characters, e.g. /[^A-Za-z0-9]/gu. */
export function percentEscape(text: string, unsafe: RegExp): string {
  return text.replace(unsafe, (ch) =>
    Array.from(Buffer.from(ch, "utf8"), (b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}

/** `text` cut to `max` characters for a message ("abc... (20971520 characters)"), so a huge value is not echoed. */
export function shorten(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}
