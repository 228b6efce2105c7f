// tslab's module loader resolves files, not folders, and notebooks/bin import only lib/index.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { projectPath } from "../lib/core/paths";

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(full) : e.name.endsWith(".ts") ? [full] : [];
  });
}

const IMPORT = /(?:from|import|require\()\s*["'](\.{1,2}\/[^"']*)["']/g;

test("every relative import in lib/ names a .ts file, not a folder (tslab cannot load folders)", () => {
  const bad: string[] = [];
  for (const file of tsFiles(projectPath("lib"))) {
    for (const [, spec] of fs.readFileSync(file, "utf8").matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), spec);
      if (!fs.existsSync(`${target}.ts`)) bad.push(`${path.relative(projectPath(), file)}: "${spec}"`);
    }
  }
  assert.deepEqual(bad, []);
});

test("notebooks import the library only through ./lib/index", () => {
  const bad: string[] = [];
  for (const name of fs.readdirSync(projectPath("notebooks")).filter((n) => n.endsWith(".ipynb"))) {
    const nb = JSON.parse(fs.readFileSync(projectPath("notebooks", name), "utf8"));
    for (const cell of nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code")) {
      const src = ([] as string[]).concat(cell.source).join("");
      for (const [, spec] of src.matchAll(/from\s*["'](\.[^"']*)["']/g)) if (spec !== "./lib/index") bad.push(`${name}: "${spec}"`);
    }
  }
  assert.deepEqual(bad, []);
});
