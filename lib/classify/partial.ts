// Progress of an unfinished classification, beside its output: OUT.partial.jsonl. The first line names the
// inputs (models by content, catalog and mosaics or curated folder, settings); each further line holds the rows
// of one finished chunk of consecutive objects, appended and fsynced before the next chunk starts. A rerun with
// the same inputs reads the finished rows back (numbers survive JSON exactly) and continues after them; with
// other inputs it refuses. A line cut short by a kill is dropped. The file is removed once OUT is written.
import * as fs from "node:fs";
import type { ClassifiedRow } from "./table";

const FORMAT = "starcluster-classify-partial-1";

export const partialFile = (out: string) => `${out}.partial.jsonl`;

export class PartialRun {
  private constructor(
    readonly file: string,
    private readonly fd: number,
    private rows: number,
  ) {}

  /** Opens (or starts) the sidecar of `out`; returns it with the rows finished by earlier runs. */
  static open(out: string, fingerprint: string[]): { partial: PartialRun; done: ClassifiedRow[] } {
    const file = partialFile(out);
    const done: ClassifiedRow[] = [];
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, "utf8");
      const complete = text.slice(0, text.lastIndexOf("\n") + 1); // a last line without its newline was being written
      const [head, ...lines] = complete.split("\n").filter((l) => l !== "");
      let header: { format?: string; fingerprint?: string[] } | undefined;
      try {
        header = head === undefined ? undefined : JSON.parse(head);
      } catch {
        header = undefined;
      }
      if (header?.format !== FORMAT || !Array.isArray(header.fingerprint)) {
        throw new Error(`${file}: not the progress file of a classification (delete it to start afresh)`);
      }
      const before = header.fingerprint as string[];
      if (before.join("\n") !== fingerprint.join("\n")) {
        throw new Error(
          `${file}: progress of a classification with other inputs (${describeChange(before, fingerprint)}); ` +
            `delete it to start afresh, or write to another --out`,
        );
      }
      lines.forEach((line, k) => {
        try {
          done.push(...(JSON.parse(line) as { rows: ClassifiedRow[] }).rows);
        } catch (e) {
          throw new Error(
            `${file}: line ${k + 2} is not valid (${(e as Error).message}); delete the file to start afresh`,
          );
        }
      });
      fs.truncateSync(file, Buffer.byteLength(complete));
      return { partial: new PartialRun(file, fs.openSync(file, "a"), done.length), done };
    }
    const fd = fs.openSync(file, "a");
    fs.writeSync(fd, JSON.stringify({ format: FORMAT, fingerprint }) + "\n");
    fs.fsyncSync(fd);
    return { partial: new PartialRun(file, fd, 0), done };
  }

  /** Appends one finished chunk, durably: after a kill it is either wholly there or dropped. */
  append(rows: ClassifiedRow[]): void {
    fs.writeSync(this.fd, JSON.stringify({ rows }) + "\n");
    fs.fsyncSync(this.fd);
    this.rows += rows.length;
  }

  /** Closes the file; one that records no finished object (a run refused at its first chunk) is removed. */
  close(): void {
    fs.closeSync(this.fd);
    if (this.rows === 0) fs.rmSync(this.file, { force: true });
  }

  /** After the output is written: the progress is no longer needed. */
  remove(): void {
    this.close();
    fs.rmSync(this.file, { force: true });
  }
}

/** What differs between two input fingerprints, in words: inputs dropped and added, or only their order. */
function describeChange(before: string[], now: string[]): string {
  const list = (items: string[]) =>
    items.length > 2 ? `${items.slice(0, 2).join("; ")} and ${items.length - 2} more` : items.join("; ");
  const gone = before.filter((x) => !now.includes(x));
  const added = now.filter((x) => !before.includes(x));
  if (!gone.length && !added.length) return "the same inputs in another order";
  return [gone.length ? `no longer given: ${list(gone)}` : "", added.length ? `new: ${list(added)}` : ""]
    .filter(Boolean)
    .join("; ");
}
