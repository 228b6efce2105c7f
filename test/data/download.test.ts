import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { downloadFile } from "../../lib/data/download";
import { loadIdxSplit } from "../../lib/data/mnist";
import { loadOmniglotPools } from "../../lib/data/omniglot";
import { DataFileError, DataNotFoundError } from "../../lib/data/errors";
import { createHash } from "crypto";
import { listFiles, recorder, serve, tmpDir, writeFakeIdx, writeFakeOmniglot } from "./fixtures";

const PAYLOAD = Buffer.from(Array.from({ length: 200000 }, (_, i) => (i * 31) & 0xff));

describe("downloadFile against a local HTTP server", () => {
  test("writes the file, reports progress (carriage returns on a TTY), leaves no temporary file", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": String(PAYLOAD.length) });
      // Several writes so the progress bar sees several chunks.
      for (let i = 0; i < PAYLOAD.length; i += 50000) res.write(PAYLOAD.subarray(i, i + 50000));
      res.end();
    });
    try {
      const dir = tmpDir("dl-ok");
      const tty = recorder(true);
      await downloadFile(`${server.url}x.bin`, path.join(dir, "x.bin"), { progressStream: tty });
      assert.deepEqual(fs.readFileSync(path.join(dir, "x.bin")), PAYLOAD);
      assert.deepEqual(listFiles(dir), ["x.bin"]);
      assert.match(tty.text(), /\rdownloading x\.bin \[#+\] 100% 0\.2 MB\/0\.2 MB .* done\n$/);
      const plain = recorder(false);
      await downloadFile(`${server.url}x.bin`, path.join(dir, "y.bin"), { progressStream: plain });
      assert.ok(!plain.text().includes("\r"));
      assert.ok(plain.text().split("\n").length <= 4, "a few lines, not one per chunk");
    } finally {
      await server.close();
    }
  });

  test("a connection cut half-way leaves no file, and says so", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": String(PAYLOAD.length) });
      res.write(PAYLOAD.subarray(0, 80000), () => res.socket?.destroy());
    });
    try {
      const dir = tmpDir("dl-cut");
      await assert.rejects(downloadFile(`${server.url}x.bin`, path.join(dir, "x.bin"), { progressStream: recorder(false) }),
        /interrupted after \d+ bytes|cut short/);
      assert.deepEqual(listFiles(dir), []);
    } finally {
      await server.close();
    }
  });

  test("verification failure writes nothing; HTTP errors name the status", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/missing") {
        res.writeHead(404);
        res.end();
      } else res.end(PAYLOAD);
    });
    try {
      const dir = tmpDir("dl-verify");
      await assert.rejects(downloadFile(`${server.url}x`, path.join(dir, "x"), { progressStream: recorder(false), verify: () => { throw new Error("bad bytes"); } }), /bad bytes/);
      await assert.rejects(downloadFile(`${server.url}missing`, path.join(dir, "x"), { progressStream: recorder(false) }), /HTTP 404/);
      assert.deepEqual(listFiles(dir), []);
    } finally {
      await server.close();
    }
  });
});

describe("loaders downloading from a local mirror", () => {
  test("Fashion-MNIST: downloads the two test files, verifies them, then reads them from disk", async () => {
    const mirror = tmpDir("fm-mirror");
    const fake = writeFakeIdx(mirror, { train: 30, test: 20 });
    const server = await serve((req, res) => {
      const file = path.join(mirror, path.basename(req.url ?? ""));
      if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
      const bytes = fs.readFileSync(file);
      res.writeHead(200, { "content-length": String(bytes.length) });
      res.end(bytes);
    });
    try {
      const empty = tmpDir("fm-empty");
      const target = tmpDir("fm-dl");
      const opts = { dirs: [empty, target], downloadDir: target, baseUrl: server.url, progressStream: recorder(false), expected: { idx: fake.expected } };
      const split = await loadIdxSplit("fashion-mnist", "test", opts);
      assert.equal(split.n, 20);
      assert.deepEqual(new Uint8Array(split.pixels), fake.pixels.test);
      assert.deepEqual(new Uint8Array(split.labels), fake.labels.test);
      assert.deepEqual(listFiles(target), ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]);
      assert.deepEqual(server.requests, ["/t10k-images-idx3-ubyte.gz", "/t10k-labels-idx1-ubyte.gz"]);
      const again = await loadIdxSplit("fashion-mnist", "test", opts);
      assert.equal(server.requests.length, 2, "the second load reads the downloaded files");
      assert.deepEqual(again.labels, split.labels);
    } finally {
      await server.close();
    }
  });

  test("Fashion-MNIST: a mirror serving corrupt data is refused and nothing is kept", async () => {
    const server = await serve((_req, res) => res.end(Buffer.from("not a gzip file at all")));
    try {
      const target = tmpDir("fm-bad");
      await assert.rejects(loadIdxSplit("fashion-mnist", "test", { dirs: [target], downloadDir: target, baseUrl: server.url, progressStream: recorder(false) }),
        (e: unknown) => e instanceof DataFileError && e.file.startsWith(server.url));
      assert.deepEqual(listFiles(target), []);
    } finally {
      await server.close();
    }
  });

  test("no network: one message with the places looked in and the URL to fetch by hand", async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await server.close(); // nothing listens there any more
    const target = tmpDir("fm-offline");
    await assert.rejects(loadIdxSplit("fashion-mnist", "train", { dirs: [target], downloadDir: target, baseUrl: url, progressStream: recorder(false) }),
      (e: unknown) => e instanceof DataNotFoundError && e.message.includes(target) && e.message.includes(`${url}train-images-idx3-ubyte.gz`) && /Download failed/.test(e.message));
    assert.deepEqual(listFiles(target), []);
  });

  test("Omniglot: an archive that is not the official one fails its MD5 and is not kept", async () => {
    const mirror = tmpDir("om-mirror");
    writeFakeOmniglot(mirror, [{ key: "images_background", alphabets: [["Bengali", 1]] }], 2);
    const served = fs.readFileSync(path.join(mirror, "images_background.zip"));
    const server = await serve((_req, res) => res.end(served));
    try {
      const target = tmpDir("om-dl");
      await assert.rejects(loadOmniglotPools("full", { dirs: [target], downloadDir: target, baseUrl: server.url, progressStream: recorder(false) }),
        (e: unknown) => e instanceof DataFileError && /MD5 68d2efa1b9178cc56df9314c21c6e718/.test(e.message) &&
          e.found === createHash("md5").update(served).digest("hex"));
      assert.deepEqual(listFiles(target), []);
    } finally {
      await server.close();
    }
  });
});
