// esbuild bundles for the browser: igr-ts (lib/browser.ts) and the book's explorer page.
// A Node built-in (fs, path, child_process, ...) cannot be bundled for a browser: esbuild then
// fails to resolve it, and the error here names the file that imports it. (Packages that map a
// built-in away for browsers, as tfjs-core does with "util" in its `browser` field, are fine.)
import { buildSync, type BuildFailure, type Metafile } from "esbuild";
import * as fs from "fs";
import { projectPath } from "../../lib/core/paths";

export interface BundleResult {
  bytes: number;
  /** Every input file of the bundle, relative to the project root. */
  inputs: string[];
  metafile: Metafile;
}

/** Bundles `entry` (a path relative to the project root) into `outfile` as one browser script. */
export function bundleForBrowser(entry: string, outfile: string): BundleResult {
  let metafile: Metafile;
  try {
    metafile = buildSync({
      entryPoints: [projectPath(entry)],
      outfile,
      bundle: true,
      platform: "browser",
      format: "iife",
      target: "es2020",
      minify: true,
      metafile: true,
      logLevel: "silent",
      absWorkingDir: projectPath(),
    }).metafile!;
  } catch (err) {
    const errors = (err as BuildFailure).errors ?? [];
    if (errors.length === 0) throw err;
    const lines = errors.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`);
    throw new Error(
      `bundle ${entry} for the browser failed:\n${lines.join("\n")}\n` +
        "A Node built-in in this list means a browser-side file imports it: move that import into a Node-only file.",
    );
  }
  return { bytes: fs.statSync(outfile).size, inputs: Object.keys(metafile.inputs), metafile };
}

/** The explorer page's script: book/explorer/explorer.ts with igr-ts bundled in. */
export function bundleExplorer(outfile: string): BundleResult {
  return bundleForBrowser("book/explorer/explorer.ts", outfile);
}
