// npm run book [-- --execute]: the notebooks as a static site in out/book/ (open out/book/index.html,
// also from file://). Notebooks come executed from out/executed/ (written by npm test or npm run
// reproduce); a notebook whose executed copy is missing or older than its source is run first
// (quick mode, or NB_MODE=full), and --execute reruns them all. Everything the site loads is
// local: MathJax from the npm `mathjax` package, plotly.min.js from `plotly.js-dist-min`, the
// explorer's igr-ts bundle from esbuild. Exits non-zero if a notebook or the build failed.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectPath } from "../lib/core/paths";
import { readFigureRecords } from "../lib/notebook/exportFigure";
import { FIGURES_DIR, plotlyMinPath, PLOTLY_MIN_FILE } from "../lib/notebook/saveFigure";
import { bundleExplorer } from "./book/bundle";
import { figuresPage } from "./book/figuresPage";

export const BOOK_DIR = projectPath("out", "book");
const STAGE_DIR = projectPath("out", "book-src");
const EXECUTED_DIR = projectPath("out", "executed");

export interface BookOptions {
  /** Rerun every notebook (default: only those whose executed copy is missing or stale). */
  execute?: boolean;
  /** Print progress (default true). */
  verbose?: boolean;
}

function notebookNames(): string[] {
  return fs
    .readdirSync(projectPath("notebooks"))
    .filter((f) => f.endsWith(".ipynb"))
    .sort();
}

function stale(name: string): boolean {
  const executed = path.join(EXECUTED_DIR, name);
  if (!fs.existsSync(executed)) return true;
  return fs.statSync(executed).mtimeMs < fs.statSync(projectPath("notebooks", name)).mtimeMs;
}

/** Runs the given notebooks through bin/run_notebooks.py; returns false if one failed. */
function execute(names: string[]): boolean {
  const python = projectPath(".venv", "bin", "python");
  const run = spawnSync(python, [projectPath("bin", "run_notebooks.py"), ...names.map((n) => path.join("notebooks", n))], {
    cwd: projectPath(),
    stdio: "inherit",
  });
  if (run.error) throw new Error(`book: could not start ${python} (${run.error.message}); run npm run setup:jupyter`);
  return run.status === 0;
}

function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

/**
 * MathJax's tex-chtml component and the files it loads on demand (TeX extensions, CHTML fonts, the
 * menu, accessibility), without the other prebuilt combinations and the SVG output (16 MB less).
 */
function copyMathJax(target: string): void {
  const source = path.dirname(require.resolve("mathjax/es5/tex-chtml.js"));
  fs.cpSync(source, target, {
    recursive: true,
    filter: (from) => {
      const rel = path.relative(source, from);
      if (rel.endsWith(".js") && !rel.includes(path.sep)) return rel === "tex-chtml.js";
      return !rel.startsWith(path.join("output", "svg"));
    },
  });
}

function tocYaml(names: string[]): string {
  const chapters = [...names.map((n) => `notebooks/${n.replace(/\.ipynb$/, "")}`), "explorer", "figures"];
  return ["# Written by bin/book.ts: the notebooks in order, then the explorer and the figures.", "format: jb-book", "root: index", "chapters:", ...chapters.map((c) => `  - file: ${c}`), ""].join("\n");
}

/** Copies the exported figures (and the one shared plotly.min.js they link to) into the site. */
function copyFigures(target: string): number {
  const records = readFigureRecords();
  fs.mkdirSync(target, { recursive: true });
  for (const r of records) {
    for (const file of r.files) {
      const from = path.join(FIGURES_DIR, file);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(target, file));
    }
  }
  fs.copyFileSync(plotlyMinPath(), path.join(target, PLOTLY_MIN_FILE));
  return records.length;
}

export function buildBook({ execute: rerun = false, verbose = true }: BookOptions = {}): string {
  const log = (line: string) => verbose && console.log(`book: ${line}`);
  const names = notebookNames();
  const toRun = rerun ? names : names.filter(stale);
  if (toRun.length > 0) {
    log(`executing ${toRun.length} notebook(s) (${process.env.NB_MODE ?? "quick"} mode): ${toRun.join(", ")}`);
    if (!execute(toRun)) throw new Error("book: a notebook failed (see above); the book is built from passing notebooks only");
  }

  fs.rmSync(STAGE_DIR, { recursive: true, force: true });
  copyDir(projectPath("book"), STAGE_DIR);
  fs.rmSync(path.join(STAGE_DIR, "explorer"), { recursive: true, force: true }); // TypeScript sources, bundled below
  fs.mkdirSync(path.join(STAGE_DIR, "notebooks"), { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(STAGE_DIR, "notebooks", n), withoutViewerNote(fs.readFileSync(path.join(EXECUTED_DIR, n), "utf8")));
  fs.writeFileSync(path.join(STAGE_DIR, "_toc.yml"), tocYaml(names));
  fs.writeFileSync(path.join(STAGE_DIR, "figures.md"), figuresPage(readFigureRecords()));

  const assets = path.join(STAGE_DIR, "_assets"); // served as _static/ (see book/_config.yml)
  copyMathJax(path.join(assets, "mathjax"));
  fs.copyFileSync(plotlyMinPath(), path.join(assets, PLOTLY_MIN_FILE));
  const bundle = bundleExplorer(path.join(assets, "explorer.js"));
  log(`explorer bundle ${(bundle.bytes / 1e6).toFixed(2)} MB`);

  const build = projectPath("out", "book-build");
  fs.rmSync(build, { recursive: true, force: true });
  const jb = projectPath(".venv", "bin", "jupyter-book");
  const run = spawnSync(jb, ["build", STAGE_DIR, "--path-output", build, "--builder", "html", "--keep-going", "-W"], {
    cwd: projectPath(),
    stdio: verbose ? "inherit" : "pipe",
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
  });
  if (run.error) throw new Error(`book: could not start ${jb} (${run.error.message}); run npm run setup:jupyter`);
  if (run.status !== 0) throw new Error(`book: jupyter-book build failed (exit ${run.status}); its warnings are above`);

  fs.rmSync(BOOK_DIR, { recursive: true, force: true });
  fs.renameSync(path.join(build, "_build", "html"), BOOK_DIR);
  fs.rmSync(build, { recursive: true, force: true });
  const figures = copyFigures(path.join(BOOK_DIR, "figures"));
  log(`${names.length} notebook page(s), ${figures} exported figure(s); open ${path.relative(process.cwd(), path.join(BOOK_DIR, "index.html"))}`);
  return BOOK_DIR;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== "--execute")) {
    console.error("usage: npm run book [-- --execute]   (NB_MODE=full for full-size notebook runs)");
    process.exit(2);
  }
  try {
    buildBook({ execute: args.includes("--execute") });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}

/** Drops the note at the top of each notebook that points repository-viewer readers to the book. */
function withoutViewerNote(notebookJson: string): string {
  const notebook = JSON.parse(notebookJson) as { cells: { cell_type: string; source: string | string[] }[] };
  const first = notebook.cells[0];
  const source = Array.isArray(first.source) ? first.source.join("") : first.source;
  first.source = source.replace(/\n\*Committed without outputs\.[^\n]*\n/, "\n");
  return JSON.stringify(notebook);
}
