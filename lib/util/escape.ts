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

/** `text` with control characters, U+FFFD (undecodable bytes) and other unprintables as \xHH / \uHHHH escapes. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd\u2028\u2029]/gu, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
