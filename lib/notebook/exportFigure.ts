// exportFigure(figure, name, { caption }): the figure as HTML, PNG and SVG under figures/, plus a
// manifest entry that the gallery (figures/index.html) is built from. An export that fails is
// recorded with its reason instead of failing the cell, so the other figures still export and
// `npm run reproduce` can report it and exit non-zero.
import * as fs from "fs";
import * as path from "path";
import { inspect } from "util";
import { findChromium, NO_CHROMIUM_HINT } from "./chromium";
import { figureTitle, type Figure, type FigureSize } from "./figure";
import { FIGURES_DIR, saveFigure } from "./saveFigure";

export const MANIFEST_DIR = path.join(FIGURES_DIR, ".manifest");

export interface FigureRecord {
  name: string;
  caption: string;
  /** The notebook that exported it, when known (set by the runner or JupyterLab). */
  notebook: string;
  /** File names (relative to figures/) that were written. */
  files: string[];
  /** One line per failed format: "png: reason". */
  errors: string[];
  /** Formats skipped for a known reason (no Chromium): not failures. */
  skipped: string[];
  date: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

function currentNotebook(): string {
  // The runner sets IGR_NOTEBOOK; jupyter_server gives kernels JPY_SESSION_NAME (the notebook path).
  const raw = process.env.IGR_NOTEBOOK || process.env.JPY_SESSION_NAME || "";
  return raw ? path.basename(raw) : "unknown";
}

export async function exportFigure(figure: Figure, name: string, options: FigureSize & { caption?: string } = {}): Promise<FigureRecord> {
  if (!NAME.test(name)) {
    throw new Error(`exportFigure: name "${name}" must be lower-case letters, digits, '.', '_' or '-' (it becomes a file name), e.g. "fig1-igr-binomial"`);
  }
  const { caption, ...size } = options;
  const record: FigureRecord = {
    name,
    caption: caption ?? figureTitle(figure),
    notebook: currentNotebook(),
    files: [],
    errors: [],
    skipped: [],
    date: new Date().toISOString(),
  };
  const formats = findChromium() ? ["html", "png", "svg"] : ["html"];
  if (formats.length === 1) record.skipped.push(`png, svg: ${NO_CHROMIUM_HINT}`);
  for (const ext of formats) {
    try {
      await saveFigure(figure, `${name}.${ext}`, size);
      record.files.push(`${name}.${ext}`);
    } catch (err) {
      record.errors.push(`${ext}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  fs.mkdirSync(MANIFEST_DIR, { recursive: true });
  fs.writeFileSync(path.join(MANIFEST_DIR, `${name}.json`), JSON.stringify(record, null, 1));
  if (record.errors.length > 0) console.log(`note: figure "${name}" did not fully export: ${record.errors.join("; ")}`);
  // A notebook cell ending in `await exportFigure(...)` prints its value: one line, not the record.
  Object.defineProperty(record, inspect.custom, { value: () => `exported figure "${name}": ${record.files.join(", ") || "no file"}`, enumerable: false });
  return record;
}

/** Every figure recorded in figures/.manifest, sorted by notebook then name. */
export function readFigureRecords(dir: string = MANIFEST_DIR): FigureRecord[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as FigureRecord)
    .sort((a, b) => a.notebook.localeCompare(b.notebook) || a.name.localeCompare(b.name));
}
