import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { trainGbdt } from "../../../engine/ml/gbdt/mod.ts";
import {
  buildModelCard,
  chooseThreshold,
  modelCardSchema,
  renderModelCardMarkdown,
  type ThresholdRule,
} from "../../../engine/ml/model_card.ts";
import { predictProbabilities, sigmoid } from "../../../engine/ml/trees.ts";
import { syntheticSet } from "./_synthetic.ts";

function trainedCard(threshold: ThresholdRule) {
  const label = (x: Float64Array, next: () => number) =>
    next() < sigmoid(3 * x[0]! - x[1]! - 1) ? 1 : 0;
  const train = syntheticSet(2000, 3, label, { seed: 21, missing: 0.05 });
  const test = syntheticSet(800, 3, label, { seed: 22 });
  const training = trainGbdt(train);
  const features = Float32Array.from(test.features);
  const probabilities = predictProbabilities(training.model, features);
  const card = buildModelCard({
    source: {
      kind: "csv",
      file: "synthetic.csv",
      labelColumn: "churned",
      split: "stratified 80/20, seed 42",
      categorical: "one-hot",
      ignoredColumns: [{ column: "id", reason: "identifier" }],
    },
    trainedAt: new Date("2026-11-01T12:00:00Z"),
    training,
    trainingLabels: train.labels,
    test: { features, probabilities, labels: test.labels },
    threshold: chooseThreshold(training, train.labels, threshold),
  });
  return { card, model: training.model };
}

Deno.test("buildModelCard() records data, training and held-out figures", () => {
  const { card, model } = trainedCard({ method: "fixed", value: 0.5 });
  assertEquals(card.data.rows, { train: 1800, validation: 200, test: 800 });
  assertEquals(card.features, ["x0", "x1", "x2"]);
  assertEquals(card.importances[0]!.feature, "x0");
  assertEquals(card.hyperparameters.learningRate, 0.1);
  assertEquals(card.threshold.method, "fixed");
  const test = card.metrics.test;
  assert(test.rocAuc! > 0.7 && test.rocAuc! < 1, `AUC ${test.rocAuc}`);
  assert(test.rocAucInterval.low! < test.rocAuc! && test.rocAuc! < test.rocAucInterval.high!);
  assertEquals(test.calibration.length, 10);
  assertEquals(test.calibration.reduce((sum, bin) => sum + bin.count, 0), 800);
  const { truePositives, falsePositives, trueNegatives, falseNegatives } = test.confusion;
  assertEquals(truePositives + falsePositives + trueNegatives + falseNegatives, 800);
  // The check set holds test rows with the probabilities the trainer's evaluator gives them.
  const check = card.checkSet!;
  assertEquals(check.rows.length, 200);
  const rows = Float32Array.from(check.rows.flat(), (x) => x ?? NaN);
  assertEquals([...predictProbabilities(model, rows)], check.probabilities);
  // The JSON reads back through the schema, keeping keys other modules add.
  const parsed = modelCardSchema.parse(
    JSON.parse(JSON.stringify({ ...card, featureReference: [1] })),
  );
  assertEquals(parsed.metrics, card.metrics);
  assertEquals(parsed.featureReference, [1]);
});

Deno.test("chooseThreshold() can take the highest F1 on the validation rows", () => {
  const { card } = trainedCard({ method: "max-f1" });
  assertEquals(card.threshold.method, "max-f1-validation");
  assert(card.threshold.value > 0 && card.threshold.value < 1, "a probability");
  assertMatch(card.threshold.description, /highest F1 on the 200 validation rows/);
});

Deno.test("renderModelCardMarkdown() shows the key figures next to the majority baseline", () => {
  const { card } = trainedCard({ method: "fixed", value: 0.5 });
  const markdown = renderModelCardMarkdown(card);
  const test = card.metrics.test;
  const f3 = (x: number | null) => x!.toFixed(3);
  assertMatch(markdown, new RegExp(`\\| ROC AUC +\\| ${f3(test.rocAuc)} \\[`));
  assertMatch(markdown, new RegExp(`\\| PR AUC \\(average precision\\) +\\| ${f3(test.prAuc)} `));
  assertMatch(markdown, new RegExp(`\\| accuracy at 0\\.50 +\\| ${f3(test.accuracy)} `));
  assertMatch(
    markdown,
    new RegExp(`\\| majority-class accuracy +\\| ${f3(test.majorityClassAccuracy)}`),
  );
  assertMatch(markdown, new RegExp(`\\| Brier score +\\| ${f3(test.brier)} `));
  assertMatch(markdown, /\| recall at 0\.50 +\| \d\.\d{3} /);
  assertMatch(markdown, /\| 0\.9–1\.0 +\| \d+ +\|/);
  assertMatch(markdown, /Not used as features: `id` \(an identifier: every value distinct\)\./);
  assertMatch(markdown, /\| `x0` +\| 0\.\d{3} +\|/);
});

Deno.test("renderModelCardMarkdown() writes what deno fmt would", async () => {
  const markdown = renderModelCardMarkdown(trainedCard({ method: "fixed", value: 0.5 }).card);
  const fmt = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "--line-width=100", "-"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = fmt.stdin.getWriter();
  await writer.write(new TextEncoder().encode(markdown));
  await writer.close();
  const { stdout } = await fmt.output();
  assertEquals(markdown, new TextDecoder().decode(stdout));
});
