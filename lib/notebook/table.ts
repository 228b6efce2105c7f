// showTable(df): a Danfo DataFrame as an HTML table (text/plain fallback). Danfo has no rich repr.
import { displayBundle } from "./display";

/** The subset of a Danfo DataFrame we read, so Danfo stays swappable. */
export interface TableLike {
  columns: string[];
  values: unknown[][] | unknown[];
  shape: number[];
  toString(): string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function cell(value: unknown, digits: number): string {
  if (value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))) return "<i>NaN</i>";
  if (typeof value === "number" && !Number.isInteger(value)) return escapeHtml(value.toPrecision(digits));
  return escapeHtml(String(value));
}

export interface TableOptions {
  /** Rows shown before the table is cut to its head and tail. */
  maxRows?: number;
  /** Significant digits for non-integer numbers. */
  digits?: number;
  caption?: string;
}

export function tableHtml(df: TableLike, { maxRows = 30, digits = 6, caption }: TableOptions = {}): string {
  const rows = (df.values as unknown[]).map((r) => (Array.isArray(r) ? r : [r]));
  const [nRows, nCols] = [rows.length, df.columns.length];
  const half = Math.floor(maxRows / 2);
  const shown: Array<unknown[] | null> = nRows > maxRows ? [...rows.slice(0, half), null, ...rows.slice(nRows - half)] : rows;
  const head = `<tr><th></th>${df.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>`;
  let index = 0;
  const body = shown
    .map((r) => {
      if (r === null) {
        index = nRows - half;
        return `<tr><th>…</th>${df.columns.map(() => "<td>…</td>").join("")}</tr>`;
      }
      return `<tr><th>${index++}</th>${r.map((v) => `<td>${cell(v, digits)}</td>`).join("")}</tr>`;
    })
    .join("\n");
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : "";
  return `<table class="dataframe">${cap}<thead>${head}</thead><tbody>\n${body}\n</tbody></table>\n<p>${nRows} rows × ${nCols} columns</p>`;
}

/** Shows the table in the notebook; returns false outside a kernel. */
export function showTable(df: TableLike, options: TableOptions = {}): boolean {
  return displayBundle({ "text/html": tableHtml(df, options), "text/plain": df.toString() });
}
