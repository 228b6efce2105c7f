import * as tf from "@tensorflow/tfjs";
import { initBackend, InvertibleGaussian } from "igr-ts";

await initBackend();                                   // tfjs-node > wasm > cpu, logged once
const q = new InvertibleGaussian({ loc: tf.tensor1d([0.5, -0.5]), scale: tf.tensor1d([1, 1]), temperature: 0.5 });
const z = q.sample(1000, { seed: 1 });                 // [1000, 3] on the open simplex, reparameterized
const logq = q.logProb(z);                             // [1000], closed-form softmax++ log-det
const probs = q.discreteProbs();                       // Proposition 2: P(argmax = k), [3]
console.log(z.shape, logq.shape, await probs.array());
