// A JupyterLab server on localhost for browser tests: started from the project's .venv with a
// random token, stopped with the returned function.
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { randomBytes } from "crypto";
import { PROJECT_ROOT } from "../../lib/core/paths";

export interface LabServer {
  url: string;
  token: string;
  stop(): Promise<void>;
  log(): string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function startLab(timeoutMs = 60_000): Promise<LabServer> {
  const jupyter = path.join(PROJECT_ROOT, ".venv/bin/jupyter");
  if (!fs.existsSync(jupyter)) throw new Error(`${jupyter} is missing: run npm run setup:jupyter first`);
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const args = [
    "lab",
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${PROJECT_ROOT}`,
    "--LabApp.news_url=",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    // CI and these machines run as root; Jupyter refuses that unless told.
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ];
  // Test-only settings: render every cell (no windowing, so off-screen outputs exist in the DOM)
  // and no news prompt over the screenshots.
  const settings = path.join(PROJECT_ROOT, "out", "lab-settings");
  const write = (rel: string, json: object) => {
    fs.mkdirSync(path.dirname(path.join(settings, rel)), { recursive: true });
    fs.writeFileSync(path.join(settings, rel), JSON.stringify(json));
  };
  write("@jupyterlab/notebook-extension/tracker.jupyterlab-settings", { windowingMode: "none" });
  write("@jupyterlab/apputils-extension/notification.jupyterlab-settings", { fetchNews: "false" });
  let output = "";
  const child: ChildProcess = spawn(jupyter, args, {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      JUPYTERLAB_SETTINGS_DIR: settings,
      JUPYTERLAB_WORKSPACES_DIR: path.join(PROJECT_ROOT, "out", "lab-workspaces"),
      NB_MODE: process.env.NB_MODE ?? "quick", PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`jupyter lab exited with code ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/api/status?token=${token}`);
      if (res.ok) return { url, token, stop, log: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`jupyter lab did not answer on ${url} within ${timeoutMs / 1000} s:\n${output}`);
}
