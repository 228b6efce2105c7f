// igr-ts bundles for the browser (lib/browser.ts, the book's explorer) without Node built-ins.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { builtinModules } from "module";
import { bundleExplorer, bundleForBrowser } from "../../bin/book/bundle";
import { projectPath } from "../../lib/core/paths";

// What the math core may pull in: the folders of the issue, the hand-written kernels, and the appendix
// §6 fit with its Adam.
const ALLOWED = /^lib\/(browser\.ts|core\/|bijectors\/|distributions\/|discrete\/|kernels\/|models\/approxDiscrete\.ts|train\/(adam|approxFit)\.ts)/;
// Node-only globals and module loading that would fail in a page (comments are stripped first).
const NODE_ONLY = /\b(process\.|require\(|__dirname|__filename|Buffer\.)/;

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

describe("browser bundle", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-bundle-"));

  test("lib/browser.ts bundles with no Node built-in and only browser-safe library files", () => {
    const result = bundleForBrowser("lib/browser.ts", path.join(dir, "igr.js"));
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    assert.deepEqual(result.inputs.filter((i) => builtins.has(i) || i.startsWith("node:")), []);
    const own = result.inputs.filter((i) => i.startsWith("lib/"));
    assert.ok(own.includes("lib/discrete/discreteProbabilities.ts") && own.includes("lib/bijectors/softmaxPlusPlus.ts"), "the math core is in");
    assert.deepEqual(own.filter((i) => !ALLOWED.test(i)), [], "library files outside the math core");
    const nodeOnly = own.filter((i) => NODE_ONLY.test(withoutComments(fs.readFileSync(projectPath(i), "utf8"))));
    assert.deepEqual(nodeOnly, [], "library files in the bundle that use Node-only globals");
    assert.ok(result.bytes < 3e6, `the bundle is ${result.bytes} bytes`);
  });

  test("a Node built-in in a browser-side file fails the bundle and names the file", () => {
    assert.throws(
      () => bundleForBrowser("test/book/fixtures/importsNode.ts", path.join(dir, "bad.js")),
      (err: Error) => /lib\/core\/paths\.ts/.test(err.message) && /"(fs|path)"/.test(err.message),
    );
  });

  test("the explorer bundles", () => {
    const result = bundleExplorer(path.join(dir, "explorer.js"));
    assert.ok(result.inputs.includes("lib/browser.ts"));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
