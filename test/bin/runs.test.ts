// The command line around run folders: a copied run resumes in its own folder; resume without a
// checkpoint is refused (exit 2) and changes nothing; --lr on resume only after a divergence, recorded
// in the run's history; sweeps skip completed runs (idempotent) and report status; the SLURM script
// and the cost estimate of --dry-run; small refusals (grid key "resume", a missing table folder).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunRecord } from "../../lib/train/runRecord";

const ROOT = path.join(__dirname, "..", "..");
const TINY = ["--model", "igr-i", "--dataset", "mnist", "--arch", "linear", "--tau", "0.5", "--epochs", "1", "--limit", "100", "--batch-size", "50", "--eval-limit", "50", "--train-eval-limit", "50", "--progress", "none"];

function igr(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(ROOT, "bin", "igr.js"), ...args], { encoding: "utf8", env: { ...process.env, IGR_QUIET: "1" }, cwd: ROOT });
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]));
}

test("a copied run resumes in its own folder; resume without a checkpoint changes nothing; --lr only after a divergence", () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-copy-"));
  assert.equal(igr(["train", ...TINY, "--runs-dir", runsDir, "--run-id", "a"]).status, 0);
  const a = path.join(runsDir, "a");
  const b = path.join(runsDir, "b");
  fs.cpSync(a, b, { recursive: true });
  const before = snapshot(a);
  const more = igr(["train", "--resume", b, "--epochs", "2"]);
  assert.equal(more.status, 0, more.stderr);
  assert.deepEqual(snapshot(a), before, "run a is untouched");
  const summary = new RunRecord(runsDir, "b").readSummary()!;
  assert.equal(summary.runId, "b");
  assert.equal(summary.epochsCompleted, 2);

  const lr = igr(["train", "--resume", b, "--epochs", "3", "--lr", "1e-4"]);
  assert.equal(lr.status, 2);
  assert.match(lr.stderr, /another learning rate: that is for runs that diverged, and its status is "completed"/);
  // As after a divergence (trainer.test.ts makes a real one): the record says so, the checkpoint is good.
  fs.writeFileSync(path.join(b, "summary.json"), JSON.stringify({ ...summary, status: "diverged" }));
  const lowered = igr(["train", "--resume", b, "--epochs", "3", "--lr", "1e-4"]);
  assert.equal(lowered.status, 0, lowered.stderr);
  const history = new RunRecord(runsDir, "b").readConfig().history!;
  assert.deepEqual(history.map((h) => [h.event, h.step, h.learningRate]), [["learning-rate", 4, 1e-4]]);

  fs.rmSync(path.join(b, "checkpoint.igrckpt"));
  const noCheckpoint = snapshot(b);
  const refused = igr(["train", "--resume", b, "--epochs", "4"]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /has no checkpoint .*nothing was changed\. Start it over with igr train --restart/);
  assert.deepEqual(snapshot(b), noCheckpoint);
});

test("sweeps are idempotent and report their status; --dry-run prints the cost and the SLURM script", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-sweep-"));
  const grid = path.join(dir, "grid.json");
  const settings = Object.fromEntries(Array.from({ length: TINY.length / 2 }, (_, i) => [TINY[2 * i].slice(2), TINY[2 * i + 1]]).filter(([k]) => k !== "progress"));
  fs.writeFileSync(grid, JSON.stringify({ ...settings, seed: [1, 2] }));
  const runsDir = path.join(dir, "runs");
  const dry = igr(["sweep", grid, "--dry-run", "--runs-dir", runsDir]);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^start +igr-i_mnist_linear_tau0\.5_lr0\.0001_seed1_limit100$/m);
  assert.match(dry.stdout, /estimated cost: [\d.]+ CPU-hours for 2 runs/);
  assert.ok(!fs.existsSync(runsDir), "a dry run writes nothing");
  const first = igr(["sweep", grid, "--jobs", "1", "--runs-dir", runsDir]);
  assert.equal(first.status, 0, first.stdout + first.stderr);
  const again = igr(["sweep", grid, "--jobs", "1", "--runs-dir", runsDir]);
  assert.equal(again.status, 0);
  assert.equal((again.stdout.match(/^skip .* \(done\)$/gm) ?? []).length, 2, again.stdout);
  const status = igr(["sweep", "status", grid, "--runs-dir", runsDir]);
  assert.match(status.stdout, /^2 runs: 2 done$/m);

  const slurm = igr(["sweep", grid, "--slurm", "--dry-run", "--time", "1:00:00", "--partition", "cpu", "--runs-dir", runsDir]);
  assert.equal(slurm.status, 0, slurm.stderr);
  for (const line of ["#SBATCH --array=0-1", "#SBATCH --signal=B:USR1@120", "#SBATCH --requeue", "#SBATCH --time=1:00:00", "#SBATCH --partition=cpu"]) assert.ok(slurm.stdout.includes(line), line);
  assert.match(slurm.stdout, /sweep .*grid\.json --task "\$SLURM_ARRAY_TASK_ID"/);
  assert.match(slurm.stdout, /scontrol requeue/);
  assert.equal(igr(["sweep", grid, "--slurm", "--time", "soon", "--runs-dir", runsDir]).status, 2);

  fs.writeFileSync(grid, JSON.stringify({ ...settings, resume: "x" }));
  const badKey = igr(["sweep", grid, "--runs-dir", runsDir]);
  assert.equal(badKey.status, 2);
  assert.match(badKey.stderr, /grid key "resume" is not a setting of a run/);
});

test("small refusals: a missing table folder is not created; --tau 0x10; igr <command> --help and --version", () => {
  const missing = path.join(os.tmpdir(), `igr-no-such-runs-${process.pid}`);
  const table = igr(["table", "--runs-dir", missing]);
  assert.equal(table.status, 2);
  assert.match(table.stderr, /the runs folder .* does not exist/);
  assert.ok(!fs.existsSync(missing));
  const hex = igr(["train", ...TINY, "--tau", "0x10", "--runs-dir", missing]);
  assert.equal(hex.status, 2);
  assert.match(hex.stderr, /--tau must be a number; got "0x10"/);
  const help = igr(["sweep", "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /igr sweep status <grid\.json>/);
  assert.doesNotMatch(help.stdout, /--model/);
  const version = igr(["--version"]);
  assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
});

test("a read-only runs folder is named in the refusal", (t) => {
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), "igr-ro-"));
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mountPoint], { encoding: "utf8" });
  if (mount.status !== 0) {
    t.skip(`cannot mount a read-only tmpfs here (${(mount.stderr || mount.error?.message || "").trim()})`);
    return;
  }
  try {
    const result = igr(["train", ...TINY, "--runs-dir", path.join(mountPoint, "runs")]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, new RegExp(`cannot write run records under .*runs: ${mountPoint} is on a read-only file system \\(EROFS\\)`));
  } finally {
    spawnSync("umount", [mountPoint]);
    fs.rmSync(mountPoint, { recursive: true, force: true });
  }
});
