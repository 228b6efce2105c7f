// TypeScript: the package's types. Type-checked by the packaging test (tsc --noEmit, strict).
import * as tf from "@tensorflow/tfjs";
import { initBackend, InvertibleGaussian, IGRStickBreaking, kl, type Distribution, type KLResult, discrete } from "igr-ts";

export async function run(): Promise<number[]> {
  await initBackend();
  const q: Distribution = new InvertibleGaussian({ loc: tf.zeros([4]), scale: tf.ones([4]), temperature: 0.3 });
  const sticks = new IGRStickBreaking({ loc: tf.zeros([4]), scale: tf.ones([4]), temperature: 0.3 });
  const x: tf.Tensor = q.sample(10, { seed: 2 });
  const divergence: KLResult = kl(q, q);
  void sticks; void divergence;
  // @ts-expect-error: the types are real, not `any`: a temperature is a number
  void new InvertibleGaussian({ loc: tf.zeros([4]), scale: tf.ones([4]), temperature: "hot" });
  return Array.from(await discrete.discreteProbabilities(tf.zeros([4]), tf.ones([4])).data()).concat(x.shape);
}
