/**
 * The trainer on the public Telco churn data (data/telco-customer-churn),
 * on the same stratified 80/20 split as scikit-learn's reference figures in
 * its README. Takes about a second.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { renderModelCardMarkdown } from "../../../engine/ml/model_card.ts";
import { trainFromCsv } from "../../../engine/ml/train_csv.ts";

const data = new URL("../../../data/telco-customer-churn/", import.meta.url).pathname;

Deno.test("trainFromCsv() on Telco ranks within 0.01 of scikit-learn's HistGradientBoosting", async () => {
  const { card, encoding, model } = await trainFromCsv({
    file: `${data}telco-customer-churn.csv`,
    label: "Churn",
    splitFile: `${data}telco-customer-churn.split.json`,
  });
  const test = card.metrics.test;
  assertEquals(card.data.rows.test, 1409);
  assertEquals(card.data.rows.train + card.data.rows.validation, 5634);
  // scikit-learn 1.2.1 HistGradientBoostingClassifier: 0.835 on this split.
  assert(test.rocAuc! >= 0.825, `ROC AUC ${test.rocAuc}`);
  assert(test.prAuc! >= 0.6, `PR AUC ${test.prAuc}`);
  // Accuracy is reported beside always answering "stays" (1,035 of 1,409).
  assertEquals(test.majorityClassAccuracy.toFixed(3), "0.735");
  assert(test.accuracy > test.majorityClassAccuracy, `accuracy ${test.accuracy}`);
  assertMatch(
    renderModelCardMarkdown(card),
    /\| accuracy at 0\.50 +\| 0\.\d{3} +\|\n\| majority-class accuracy +\| 0\.735 +\|/,
  );
  assertEquals(encoding.ignored, [{ column: "customerID", reason: "identifier" }]);
  assertEquals(model.featureNames.length, 45);
  assert(model.featureNames.includes("Contract=Month-to-month"), "one-hot names");
});
