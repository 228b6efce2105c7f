// The public API (lib/index.ts): the grouping it promises, and every name the notebooks import.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import ts from "typescript";
import { projectPath } from "../lib/core/paths";

/** Exported names (values and types) of each module, as the TypeScript compiler sees them. */
function exportsOf(files: string[]): Map<string, Set<string>> {
  const program = ts.createProgram(files, { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  return new Map(files.map((file) => {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
    return [file, new Set(checker.getExportsOfModule(symbol).map((s) => s.name))];
  }));
}

const AREAS: Record<string, string> = { core: "core", discrete: "discrete", data: "data", models: "models", evaluation: "eval", training: "train", estimators: "estimators", notebook: "notebook" };
const index = projectPath("lib", "index.ts");
const areaFile = (dir: string) => projectPath("lib", dir, "index.ts");
const exported = exportsOf([index, ...Object.values(AREAS).map(areaFile), areaFile("distributions"), areaFile("bijectors")]);

test("every name a notebook imports from ./lib/index is exported there", () => {
  const names = exported.get(index)!;
  const missing: string[] = [];
  for (const file of fs.readdirSync(projectPath("notebooks")).filter((n) => n.endsWith(".ipynb"))) {
    const nb = JSON.parse(fs.readFileSync(projectPath("notebooks", file), "utf8"));
    for (const cell of nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code")) {
      const src = ([] as string[]).concat(cell.source).join("");
      for (const [, list] of src.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*["']\.\/lib\/index["']/g)) {
        for (const item of list.split(",").map((s) => s.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]).filter(Boolean)) {
          if (!names.has(item)) missing.push(`${file}: ${item}`);
        }
      }
    }
  }
  assert.deepEqual(missing, [], "add these to the unqualified names at the end of lib/index.ts");
});

test("distributions and bijectors at the top level, every other area complete under its namespace", () => {
  const names = exported.get(index)!;
  for (const dir of ["distributions", "bijectors"]) for (const name of exported.get(areaFile(dir))!) assert.ok(names.has(name), `${dir}: ${name} at the top level`);
  for (const [namespace, dir] of Object.entries(AREAS)) assert.ok(names.has(namespace), `namespace ${namespace} (lib/${dir})`);
  // At run time too: a namespace holds every value its area exports.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const api = require("../lib/index") as Record<string, Record<string, unknown>>;
  for (const [namespace, dir] of Object.entries(AREAS)) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const area = require(`../lib/${dir}/index`) as Record<string, unknown>;
    for (const key of Object.keys(area)) assert.equal(api[namespace][key], area[key], `${namespace}.${key}`);
  }
  assert.equal(typeof api.InvertibleGaussian, "function");
  assert.equal(typeof api.initBackend, "function");
});
