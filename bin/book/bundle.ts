// esbuild bundles for the browser: igr-ts (lib/browser.ts) and the book's explorer page.
// Node built-ins cannot be bundled for a browser; a file that imports one fails the build here
// with the chain of imports that led to it, rather than failing later in a reader's browser.
import { buildSync, type Metafile } from "esbuild";
import * as fs from "fs";
import { builtinModules } from "module";
import { projectPath } from "../../lib/core/paths";

export interface BundleResult {
  bytes: number;
  /** Every input file of the bundle, relative to the project root. */
  inputs: string[];
  metafile: Metafile;
}

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** The import chain (importer → imported) that reaches `target`, for error messages. */
function chainTo(metafile: Metafile, target: string): string[] {
  const parent = new Map<string, string>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const imp of input.imports) if (!parent.has(imp.path)) parent.set(imp.path, file);
  }
  const chain = [target];
  while (parent.has(chain[0]) && chain.length < 20) chain.unshift(parent.get(chain[0])!);
  return chain;
}

/** Bundles `entry` (a path relative to the project root) into `outfile` as a browser script. */
export function bundleForBrowser(entry: string, outfile: string, globalName?: string): BundleResult {
  const result = buildSync({
    entryPoints: [projectPath(entry)],
    outfile,
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName,
    target: "es2020",
    minify: true,
    metafile: true,
    logLevel: "silent",
    absWorkingDir: projectPath(),
    // Node built-ins stay unresolved on purpose, so they show up below with their importer.
    external: [...NODE_BUILTINS],
  });
  const metafile = result.metafile!;
  for (const [file, input] of Object.entries(metafile.inputs)) {
    const leaked = input.imports.filter((imp) => NODE_BUILTINS.has(imp.path));
    if (leaked.length > 0) {
      fs.rmSync(outfile, { force: true });
      throw new Error(
        `bundle ${entry}: ${file} imports the Node module(s) ${leaked.map((l) => `"${l.path}"`).join(", ")}, which do not exist in a browser ` +
          `(import chain: ${chainTo(metafile, file).join(" → ")}). Move that import behind a Node-only file.`,
      );
    }
  }
  return { bytes: fs.statSync(outfile).size, inputs: Object.keys(metafile.inputs), metafile };
}

/** The explorer page's script: book/explorer/explorer.ts with igr-ts bundled in. */
export function bundleExplorer(outfile: string): BundleResult {
  return bundleForBrowser("book/explorer/explorer.ts", outfile);
}
