// A one-node SLURM cluster for tests: munged, slurmctld and slurmd started as plain daemons (no
// systemd) with their key, sockets, state and logs in a temp folder, stopped by the pids they write.
// Settings that make it work here: the munge socket folder must be 0711; RealMemory at most what
// `slurmd -C` reports; no cgroups (proctrack/linuxproc, task/none); no accounting (jobs' end states
// from jobcomp/filetxt and MinJobAge); cred_expire=10 and a 2 s scheduler interval so a requeued
// job runs again in ~15 s instead of minutes.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface Cluster {
  dir: string;
  /** Environment for clients (sbatch, squeue, scancel, igr sweep --slurm): SLURM_CONF set. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** Why a cluster cannot be started here, or null when the programs are present. */
export function whyNoSlurm(): string | null {
  const missing = ["munged", "slurmctld", "slurmd", "sbatch", "sinfo", "scontrol", "scancel"].filter((p) => spawnSync("sh", ["-c", `command -v ${p}`]).status !== 0);
  if (missing.length > 0) return `SLURM is not installed here (missing ${missing.join(", ")}; apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return "the test cluster runs its daemons as root (SlurmUser=root); this test runs as another user";
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(file: string): Promise<void> {
  if (!fs.existsSync(file)) return;
  const pid = Number(fs.readFileSync(file, "utf8").trim());
  if (!(pid > 0) || !pidRuns(pid)) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 150 && pidRuns(pid); i++) await sleep(100);
  if (pidRuns(pid)) process.kill(pid, "SIGKILL");
}

/** Starts the cluster; throws with the daemons' log tails when it does not come up within ~30 s. */
export async function startCluster(): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-slurm-"));
  fs.chmodSync(dir, 0o711);
  const mungeDir = path.join(dir, "munge");
  for (const d of [mungeDir, path.join(dir, "state"), path.join(dir, "spool")]) fs.mkdirSync(d, { mode: 0o711 });
  fs.chmodSync(mungeDir, 0o711);
  const key = path.join(mungeDir, "munge.key");
  fs.writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = path.join(mungeDir, "munge.socket");
  const pidFiles = { munged: path.join(mungeDir, "munged.pid"), slurmctld: path.join(dir, "slurmctld.pid"), slurmd: path.join(dir, "slurmd.pid") };
  const stop = async () => {
    await stopPid(pidFiles.slurmd);
    await stopPid(pidFiles.slurmctld);
    await stopPid(pidFiles.munged);
  };
  const fail = async (why: string): Promise<never> => {
    const logs = ["slurmctld.log", "slurmd.log", "munge/munged.log"].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
    const tails = logs.map((f) => `${path.basename(f)}: ${fs.readFileSync(f, "utf8").trim().split("\n").slice(-3).join(" | ")}`).join("; ");
    await stop();
    throw new Error(`${why}${tails ? ` (${tails})` : ""}`);
  };
  const munged = spawnSync("munged", ["--force", `--socket=${socket}`, `--key-file=${key}`, `--log-file=${path.join(mungeDir, "munged.log")}`, `--pid-file=${pidFiles.munged}`, `--seed-file=${path.join(mungeDir, "munged.seed")}`], { encoding: "utf8" });
  if (munged.status !== 0) await fail(`munged did not start: ${munged.stderr.trim()}`);
  const probe = spawnSync("slurmd", ["-C"], { encoding: "utf8" });
  const host = /NodeName=(\S+)/.exec(probe.stdout)?.[1] ?? os.hostname();
  const cpus = Number(/CPUs=(\d+)/.exec(probe.stdout)?.[1] ?? "1");
  const memory = Math.floor(Number(/RealMemory=(\d+)/.exec(probe.stdout)?.[1] ?? "1000") * 0.9);
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, "slurm.conf");
  fs.writeFileSync(conf, [
    "ClusterName=igrtest",
    `SlurmctldHost=${host}`,
    "SlurmUser=root",
    "SlurmdUser=root",
    "AuthType=auth/munge",
    "CredType=cred/munge",
    `AuthInfo=socket=${socket},cred_expire=10`,
    `StateSaveLocation=${path.join(dir, "state")}`,
    `SlurmdSpoolDir=${path.join(dir, "spool")}`,
    `SlurmctldPidFile=${pidFiles.slurmctld}`,
    `SlurmdPidFile=${pidFiles.slurmd}`,
    `SlurmctldLogFile=${path.join(dir, "slurmctld.log")}`,
    `SlurmdLogFile=${path.join(dir, "slurmd.log")}`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "JobAcctGatherType=jobacct_gather/none",
    "AccountingStorageType=accounting_storage/none",
    "JobCompType=jobcomp/filetxt",
    `JobCompLoc=${path.join(dir, "jobcomp.txt")}`,
    "SchedulerType=sched/backfill",
    "SchedulerParameters=sched_interval=2,bf_interval=2",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_CPU",
    "MinJobAge=600",
    "ReturnToService=2",
    "MpiDefault=none",
    `NodeName=${host} CPUs=${cpus} RealMemory=${memory} State=UNKNOWN`,
    `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    "",
  ].join("\n"));
  const env = { ...process.env, SLURM_CONF: conf };
  for (const daemon of ["slurmctld", "slurmd"]) {
    const started = spawnSync(daemon, ["-f", conf], { encoding: "utf8", env });
    if (started.status !== 0) await fail(`${daemon} did not start: ${started.stderr.trim()}`);
  }
  for (let i = 0; i < 60; i++) {
    const state = spawnSync("sinfo", ["-h", "-o", "%T"], { encoding: "utf8", env }).stdout.trim();
    if (state === "idle") return { dir, env, stop };
    await sleep(500);
  }
  return fail("the node did not become idle within 30 s");
}
