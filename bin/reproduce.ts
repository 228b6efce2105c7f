// npm run reproduce [-- --full] [notebook.ipynb ...]: executes the notebooks (quick mode unless
// --full) through the tslab kernel, then reports every exported figure, writes the gallery
// figures/index.html and builds the book (out/book/). Exits non-zero if a notebook, a figure export
// or the book failed.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectPath } from "../lib/core/paths";
import { findChromium, NO_CHROMIUM_HINT } from "../lib/notebook/chromium";
import { MANIFEST_DIR, readFigureRecords } from "../lib/notebook/exportFigure";
import { writeGallery } from "../lib/notebook/gallery";
import { FIGURES_DIR } from "../lib/notebook/saveFigure";
import { buildBook } from "./book";

function usage(): never {
  console.error("usage: npm run reproduce [-- --full] [notebooks/NAME.ipynb ...]");
  process.exit(2);
}

const args = process.argv.slice(2);
const full = args.includes("--full");
const notebooks = args.filter((a) => a !== "--full");
if (notebooks.some((a) => a.startsWith("-"))) usage();
for (const nb of notebooks) {
  if (!fs.existsSync(nb)) {
    console.error(`reproduce: no notebook ${nb}`);
    process.exit(2);
  }
}

// A full run starts from an empty figures/ so the gallery shows exactly this run's figures.
if (notebooks.length === 0) {
  for (const entry of fs.existsSync(FIGURES_DIR) ? fs.readdirSync(FIGURES_DIR) : []) {
    if (entry !== "README.md") fs.rmSync(path.join(FIGURES_DIR, entry), { recursive: true, force: true });
  }
}
if (!findChromium()) console.log(`reproduce: ${NO_CHROMIUM_HINT}; figures are exported as HTML only`);

const python = projectPath(".venv", "bin", "python");
const run = spawnSync(python, [projectPath("bin", "run_notebooks.py"), "--mode", full ? "full" : "quick", ...notebooks], {
  cwd: projectPath(),
  stdio: "inherit",
});
if (run.error) {
  console.error(`reproduce: could not start ${python} (${run.error.message}); run npm run setup:jupyter`);
  process.exit(1);
}

const records = readFigureRecords(MANIFEST_DIR);
const failed = records.filter((r) => r.errors.length > 0);
for (const r of failed) console.log(`FAIL figure ${r.name} (${r.notebook}): ${r.errors.join("; ")}`);
const gallery = writeGallery();
console.log(`figures: ${records.length - failed.length} exported, ${failed.length} failed; gallery: ${path.relative(projectPath(), gallery)}`);
let bookFailed = false;
try {
  buildBook();
} catch (err) {
  bookFailed = true;
  console.log(`FAIL book: ${(err as Error).message}`);
}
process.exit(run.status !== 0 || failed.length > 0 || bookFailed ? 1 : 0);
