// The package as a user gets it: `npm pack`, installed into an empty project, used from plain ESM
// (top-level await), CommonJS and TypeScript, and the installed `igr` command. The install runs
// offline from the npm cache (where `npm ci` of this repository put every dependency); without the
// cache, the test is skipped with the reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectPath } from "../../lib/core/paths";

function run(command: string, args: string[], cwd: string, timeoutMs = 300_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, IGR_QUIET: "1" } });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** A lock for the temporary project: this repository's locked runtime dependencies plus the tarball,
 *  so `npm ci --offline` resolves everything from the cache without asking the registry. */
function projectLock(tarball: string): object {
  const lock = JSON.parse(fs.readFileSync(projectPath("package-lock.json"), "utf8"));
  const root = lock.packages[""];
  const packages: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(lock.packages as Record<string, { dev?: boolean }>)) if (key && !value.dev) packages[key] = value;
  const entry: Record<string, unknown> = {
    version: root.version,
    resolved: `file:${tarball}`,
    integrity: `sha512-${createHash("sha512").update(fs.readFileSync(tarball)).digest("base64")}`,
  };
  for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "peerDependenciesMeta", "bin", "engines"]) if (root[field]) entry[field] = root[field];
  packages["node_modules/igr-ts"] = entry;
  packages[""] = { name: "igr-ts-user", version: "1.0.0", dependencies: { "igr-ts": `file:${tarball}` } };
  return { name: "igr-ts-user", version: "1.0.0", lockfileVersion: 3, requires: true, packages };
}

test("the LICENSE file is the license package.json names", () => {
  const license = JSON.parse(fs.readFileSync(projectPath("package.json"), "utf8")).license;
  assert.equal(license, "MIT");
  assert.match(fs.readFileSync(projectPath("LICENSE"), "utf8"), /^MIT License\n\nCopyright \(c\) \d{4} igr-ts contributors\n/);
});

test("npm pack: the tarball installs into an empty project and works from ESM, CommonJS, TypeScript and the igr command", async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "igr-package-"));
  const packed = ok(run("npm", ["pack", "--json", "--pack-destination", work], projectPath()), "npm pack");
  const info = JSON.parse(packed.slice(packed.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  const files = info[0].files.map((f) => f.path);
  for (const needed of ["package.json", "README.md", "LICENSE", "dist/lib/index.js", "dist/lib/index.d.ts", "dist/bin/igr.js", "bin/igr.js", "examples/five-lines.mjs"]) {
    assert.ok(files.includes(needed), `the tarball holds ${needed}`);
  }
  const strays = files.filter((f) => /^(test|notebooks|data|bench|lib)\//.test(f) || f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith("examples/"));
  assert.deepEqual(strays, [], "sources, tests, notebooks and data stay out of the tarball");

  const tarball = path.join(work, info[0].filename);
  const project = path.join(work, "project");
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "igr-ts-user", version: "1.0.0", private: true, dependencies: { "igr-ts": `file:${tarball}` } }, null, 2));
  fs.writeFileSync(path.join(project, "package-lock.json"), JSON.stringify(projectLock(tarball), null, 2));
  const install = run("npm", ["ci", "--offline", "--ignore-scripts", "--omit=optional", "--no-audit", "--no-fund"], project);
  if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) return t.skip("the npm cache lacks a dependency (run npm ci in this repository first, or go online)");
  ok(install, "npm ci of the tarball");

  const installed = path.join(project, "node_modules", "igr-ts");
  for (const example of fs.readdirSync(path.join(installed, "examples"))) fs.copyFileSync(path.join(installed, "examples", example), path.join(project, example));

  const esm = ok(run(process.execPath, ["five-lines.mjs"], project), "the ESM example (README's five lines)");
  const printed = /^\[ 1000, 3 \] \[ 1000 \] \[ (.*) \]$/m.exec(esm);
  assert.ok(printed, `shapes [1000, 3] and [1000], then three probabilities: ${esm}`);
  const probs = printed[1].split(", ").map(Number);
  assert.equal(probs.length, 3);
  assert.ok(Math.abs(probs.reduce((a, b) => a + b) - 1) < 1e-5, `P(argmax = k) sums to 1 (float32): ${probs}`);

  const cjs = JSON.parse(ok(run(process.execPath, ["discrete-law.cjs"], project), "the CommonJS example")) as { worst: number };
  assert.ok(cjs.worst < 0.02);

  fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node10", strict: true, noEmit: true, esModuleInterop: true, types: [], skipLibCheck: true },
    files: ["typed.ts"],
  }));
  ok(run(process.execPath, [projectPath("node_modules", "typescript", "bin", "tsc"), "-p", "."], project), "tsc on the TypeScript example");

  const help = run(path.join(project, "node_modules", ".bin", "igr"), ["--help"], project);
  ok(help, "the installed igr command");
  assert.match(help.stdout + help.stderr, /usage:\s+igr train/);
  const version = ok(run(path.join(project, "node_modules", ".bin", "igr"), ["--version"], project), "igr --version");
  assert.equal(version.trim(), JSON.parse(fs.readFileSync(projectPath("package.json"), "utf8")).version);
  fs.rmSync(work, { recursive: true, force: true });
});
