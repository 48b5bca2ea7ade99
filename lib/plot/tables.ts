// Tables for notebooks: plain HTML from rows, or from a danfo DataFrame (the notebooks' data-frame library).
import type { DataFrame } from "danfojs-node";

const esc = (v: unknown) =>
  String(v).replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c] as string);

/** A plain HTML table (for counts beside the paper's numbers). */
export function tableHtml(columns: string[], rows: (string | number)[][], caption?: string): string {
  const head = `<tr>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const body = rows
    .map((r) => `<tr>${r.map((v) => `<td style="text-align:right">${esc(v)}</td>`).join("")}</tr>`)
    .join("");
  return `<table>${caption ? `<caption>${esc(caption)}</caption>` : ""}<thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** A danfo DataFrame as an HTML table, numbers with `digits` decimals. */
export function frameHtml(df: DataFrame, caption?: string, digits = 1): string {
  const fmt = (v: unknown) =>
    typeof v === "number" && !Number.isInteger(v) ? v.toFixed(digits) : (v as string | number);
  return tableHtml(
    df.columns,
    (df.values as unknown[][]).map((row) => row.map(fmt)),
    caption,
  );
}
