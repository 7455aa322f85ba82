/**
 * Run by scorer_test.ts in a Deno without --allow-ffi: loads the model file
 * named on the command line and prints which scorer it got, and why.
 */
import { loadChurnScorer } from "../../../engine/ml/scorer.ts";

const [path, names] = Deno.args;
const scorer = await loadChurnScorer(await Deno.readFile(path!), {
  prefer: "onnxruntime",
  featureNames: JSON.parse(names!),
});
const probabilities = await scorer.score(new Float32Array(scorer.model.featureNames.length), 1);
console.log(JSON.stringify({ kind: scorer.kind, reason: scorer.reason, p: probabilities[0] }));
