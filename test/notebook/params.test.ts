import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";

// params reads NB_MODE once at import, so each mode is checked in a fresh process.
function modeIn(env: Record<string, string>): { out: string; err: string; status: number | null } {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "-e", 'const { params } = require("./lib/notebook/params"); console.log(params.mode, params.pick("q", "f"), params.stamp("3 epochs"))'],
    { env: { ...process.env, ...env }, encoding: "utf8" },
  );
  return { out: r.stdout.trim(), err: r.stderr, status: r.status };
}

test("quick by default, full on request, and a clear error otherwise", () => {
  assert.equal(modeIn({ NB_MODE: "" }).out, "quick q quick mode, 3 epochs");
  assert.equal(modeIn({ NB_MODE: "full" }).out, "full f full mode, 3 epochs");
  const bad = modeIn({ NB_MODE: "fast" });
  assert.notEqual(bad.status, 0);
  assert.match(bad.err, /NB_MODE="fast" is not a mode/);
});
