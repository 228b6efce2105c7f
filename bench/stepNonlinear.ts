// Bench "step-nonlinear": median ms per training step of the nonlinear VAE-shaped net
// (encoder 784-512-256-360, decoder 200-256-512-784, ReLU, batch 100, Adam lr 3e-4), once with
// stock tfjs (tf.layers.dense + tf.train.adam, stock wasm matMul kernels) and once with our path
// (transpose-free matMul kernels + lib/models Dense). Each variant runs in a fresh child process,
// so neither sees the other's kernel patch or warmed caches (docs/performance.md §1 measures the same
// way). The loss mirrors docs/performance.md's workload with a plain-op stand-in for softmax++:
// y = mu + sigma·eps, z = softmax([y/temperature, 0]) per variable, Bernoulli NLL + Gaussian KL.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend, fastMatMulActive } from "../lib/core/backend";
import { MLP } from "../lib/models";
import { median, type BenchRecord } from "./results";
import { mulberry32 } from "../lib/core/prng";
import { IMAGE_PIXELS } from "../lib/data/pool";

const BATCH = 100;
const PIXELS = IMAGE_PIXELS;
const VARIABLES = 20;
const CATEGORIES = 10; // softmax over 9 free logits plus a zero logit
const FREE = VARIABLES * (CATEGORIES - 1); // 180
const ENCODER = [PIXELS, 512, 256, 2 * FREE];
const DECODER = [VARIABLES * CATEGORIES, 256, 512, PIXELS];
const TEMPERATURE = 0.5;
const LEARNING_RATE = 3e-4;
const WARMUP_STEPS = 10;
const DEFAULT_TIMED_STEPS = 50;
const DATA_BATCHES = 20;

type Variant = "stock" | "ours";
type Net = (x: tf.Tensor2D) => tf.Tensor2D;


/** Synthetic binary "images": 13% ones (about MNIST's rate), 20 batches cycled. */
function syntheticData(): Float32Array {
  const rand = mulberry32(2024);
  return Float32Array.from({ length: DATA_BATCHES * BATCH * PIXELS }, () => (rand() < 0.13 ? 1 : 0));
}

/** Mean over the batch of Bernoulli NLL + log q(y) − log p(y) with p = N(0, I). */
function vaeLoss(x: tf.Tensor2D, eps: tf.Tensor2D, encode: Net, decode: Net): tf.Scalar {
  const [mu, logSigma] = tf.split(encode(x), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  const y = tf.add(mu, tf.mul(tf.exp(logSigma), eps));
  const logits = tf.reshape(tf.div(y, TEMPERATURE), [BATCH, VARIABLES, CATEGORIES - 1]);
  // Categories on the last axis: softmax over other axes transposes on wasm (docs/performance.md §2).
  const z = tf.softmax(tf.concat([logits, tf.zeros([BATCH, VARIABLES, 1])], 2));
  const pixelLogits = decode(tf.reshape(z, [BATCH, VARIABLES * CATEGORIES]));
  const nll = tf.sub(tf.sum(tf.softplus(pixelLogits)), tf.sum(tf.mul(x, pixelLogits)));
  // log N(y; mu, sigma) − log N(y; 0, 1) = −log sigma − eps²/2 + y²/2 (the 2π terms cancel).
  const kl = tf.sum(tf.add(tf.neg(logSigma), tf.mul(0.5, tf.sub(tf.square(y), tf.square(eps)))));
  return tf.div(tf.add(nll, kl), BATCH) as tf.Scalar;
}

interface Model {
  encode: Net;
  decode: Net;
  variables: tf.Variable[];
}

function stockModel(): Model {
  const stack = (sizes: number[]) =>
    sizes.slice(1).map((units, i) =>
      tf.layers.dense({ units, inputDim: sizes[i], activation: i < sizes.length - 2 ? "relu" : "linear" }),
    );
  const encoder = stack(ENCODER);
  const decoder = stack(DECODER);
  // Build the weights now, inside tidy, so no initialiser tensor outlives it.
  tf.tidy(() => {
    let h: tf.Tensor = tf.zeros([1, ENCODER[0]]);
    for (const layer of encoder) h = layer.apply(h) as tf.Tensor;
    h = tf.zeros([1, DECODER[0]]);
    for (const layer of decoder) h = layer.apply(h) as tf.Tensor;
  });
  const run = (layers: tf.layers.Layer[]) => (x: tf.Tensor2D) => layers.reduce<tf.Tensor>((h, l) => l.apply(h) as tf.Tensor, x) as tf.Tensor2D;
  return {
    encode: run(encoder),
    decode: run(decoder),
    variables: [...encoder, ...decoder].flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable)),
  };
}

function ourModel(): Model {
  const encoder = new MLP(ENCODER, "relu", { seed: 1 });
  const decoder = new MLP(DECODER, "relu", { seed: 11 });
  return {
    // x is data: the first encoder layer skips its dX product.
    encode: (x) => encoder.apply(x, { inputGrad: false }),
    decode: (z) => decoder.apply(z),
    variables: [...encoder.variables, ...decoder.variables],
  };
}

interface Measurement {
  backend: string;
  matMulKernels: string;
  msPerStep: number;
  msPerStepP10: number;
  msPerStepP90: number;
  stepsTimed: number;
  warmupSteps: number;
  finalLoss: number;
  numTensorsStable: boolean;
}

/** Runs in the child process: trains `variant` and measures its steps. */
async function measure(variant: Variant, timedSteps: number): Promise<Measurement> {
  const backend = await initBackend();
  const data = syntheticData();
  const model = variant === "stock" ? stockModel() : ourModel();
  const optimizer = tf.train.adam(LEARNING_RATE);
  let batchIndex = 0;
  const step = (): number => {
    const offset = (batchIndex++ % DATA_BATCHES) * BATCH * PIXELS;
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(data.subarray(offset, offset + BATCH * PIXELS), [BATCH, PIXELS]);
      const eps = tf.randomNormal([BATCH, FREE]) as tf.Tensor2D;
      return optimizer.minimize(() => vaeLoss(x, eps, model.encode, model.decode), true, model.variables) as tf.Scalar;
    });
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  };
  for (let i = 0; i < WARMUP_STEPS; i++) step();
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  let finalLoss = NaN;
  for (let i = 0; i < timedSteps; i++) {
    const start = process.hrtime.bigint();
    finalLoss = step();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    backend,
    matMulKernels: backend !== "wasm" ? "native" : fastMatMulActive() ? "transpose-free" : "stock",
    msPerStep: round(median(times)),
    msPerStepP10: round(sorted[Math.floor(0.1 * (sorted.length - 1))]),
    msPerStepP90: round(sorted[Math.ceil(0.9 * (sorted.length - 1))]),
    stepsTimed: timedSteps,
    warmupSteps: WARMUP_STEPS,
    finalLoss,
    numTensorsStable: tf.memory().numTensors === tensorsBefore,
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function timedStepsFromEnv(): number {
  const raw = process.env.BENCH_STEPS;
  if (raw === undefined || raw === "") return DEFAULT_TIMED_STEPS;
  const steps = Number(raw);
  if (!Number.isInteger(steps) || steps < 30) throw new Error(`BENCH_STEPS must be an integer >= 30, got "${raw}"`);
  return steps;
}

/** Spawns a fresh node process for one variant and returns its measurement. */
function runChild(variant: Variant, timedSteps: number): Measurement {
  const env: NodeJS.ProcessEnv = { ...process.env, IGR_QUIET: "1" };
  if (variant === "stock") env.IGR_STOCK_MATMUL = "1";
  else delete env.IGR_STOCK_MATMUL;
  const root = path.resolve(__dirname, "..");
  const child = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", variant, String(timedSteps)], {
    cwd: root,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`step-nonlinear ${variant} child exited with ${child.status ?? child.signal}`);
  const lastLine = child.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(lastLine) as Measurement;
}

/** The bench module's entry: both variants, each in its own process, one after the other. */
export async function stepNonlinear(): Promise<BenchRecord[]> {
  const timedSteps = timedStepsFromEnv();
  const common = {
    date: new Date().toISOString(),
    node: process.version,
    tfjs: tf.version.tfjs,
    net: `${ENCODER.join("-")} / ${DECODER.join("-")}`,
    batch: BATCH,
    optimizer: "tf.train.adam",
  };
  const stock = runChild("stock", timedSteps);
  const ours = runChild("ours", timedSteps);
  return [
    { name: "step-nonlinear-stock", ...stock, layers: "tf.layers.dense", ...common },
    {
      name: "step-nonlinear-ours",
      ...ours,
      layers: "lib/models Dense (customGrad)",
      ...common,
      speedupVsStock: Number((stock.msPerStep / ours.msPerStep).toFixed(2)),
    },
  ];
}

if (require.main === module && process.argv[2] === "--child") {
  const variant = process.argv[3] as Variant;
  if (variant !== "stock" && variant !== "ours") throw new Error(`variant must be stock or ours, got "${variant}"`);
  measure(variant, Number(process.argv[4])).then(
    (m) => console.log(JSON.stringify(m)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
