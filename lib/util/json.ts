// JSON from files and file metadata, with errors that name where the text came from.

/** Parses `text`; a syntax error names `where` (a file, or a file and the field holding the JSON). */
export function parseJson<T = unknown>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(
      `${where}: not valid JSON (${(e as Error).message}); the file is damaged or was not written by starcluster`,
    );
  }
}
