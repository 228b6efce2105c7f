// `igr approx` and `igr prior-fit`: the appendix-§6 fits from the command line give the library's
// numbers (the same fit run in this process), and bad settings exit 2 before any work.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../lib/core/backend";
import { binomialTarget, totalVariation } from "../../lib/discrete/targets";
import { fitDiscreteApproximation } from "../../lib/train/approxFit";
import { fitUniformPrior } from "../../lib/train/uniformPriorFit";

const IGR = path.join(__dirname, "../../bin/igr.ts");
const run = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", IGR, ...args], { encoding: "utf8", env: { ...process.env, IGR_QUIET: "1" } });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-approx-"));

before(async () => {
  await initBackend();
});

test("igr approx writes the fitted law of the library's fit, and its total variation to the target", () => {
  const out = path.join(dir, "approx.json");
  const result = run(["approx", "--family", "igr-i", "--target", "binomial", "--categories", "12", "--samples", "500", "--max-iterations", "15", "--seed", "3", "--every", "0", "--out", out]);
  assert.equal(result.status, 0, result.stderr);
  const written = JSON.parse(fs.readFileSync(out, "utf8"));
  const fit = fitDiscreteApproximation({ family: "igr-i", target: binomialTarget(12, 0.3, { numCategories: 12 }), numSamples: 500, maxIterations: 15, seed: 3 });
  try {
    assert.equal(written.steps, fit.iterations);
    assert.deepEqual(written.probs, fit.exactProbs()!.probs); // same backend, seed and settings: the same numbers
    assert.deepEqual(written.targetProbs, fit.target.probs);
    assert.ok(Math.abs(written.totalVariation - totalVariation(written.probs, written.targetProbs)) < 1e-15);
    assert.match(result.stdout, /igr-i fitted to Binomial\(12, 0\.3\): 15 steps/);
  } finally {
    fit.dispose();
  }
});

test("igr prior-fit reports the averaged ratio of fitUniformPrior beside the analytic one", () => {
  const out = path.join(dir, "prior.json");
  const result = run(["prior-fit", "--categories", "4", "--samples", "500", "--max-iterations", "10", "--every", "0", "--out", out]);
  assert.equal(result.status, 0, result.stderr);
  const written = JSON.parse(fs.readFileSync(out, "utf8"));
  const prior = fitUniformPrior(4, { numSamples: 500, maxIterations: 10 });
  try {
    assert.equal(written.ratio, prior.ratio);
    assert.equal(written.analyticRatio, prior.analyticRatio);
    assert.deepEqual(written.averagedProbs, prior.averagedProbs);
  } finally {
    prior.fit.dispose();
  }
});

test("bad settings exit 2 with the reason, before any work", () => {
  const cases: Array<[string[], RegExp]> = [
    [["approx", "--target", "paper"], /--family is required/],
    [["approx", "--family", "igr-x", "--target", "paper"], /--family must be one of igr-i, igr-planar, igr-sb, gs; got "igr-x"/],
    [["approx", "--family", "gs"], /--target is required/],
    [["approx", "--family", "gs", "--target", "paper", "--categories", "12"], /the paper's pmf has 10 categories/],
    [["approx", "--family", "gs", "--target", "paper", "--tau", "-1"], /temperature must be a finite number > 0; got -1/],
    [["prior-fit", "--categories", "1"], /numCategories|categories/],
  ];
  for (const [args, message] of cases) {
    const result = run(args);
    assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(" "));
  }
});
