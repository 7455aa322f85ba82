/**
 * The model card as markdown for people. Tables come out padded the way
 * `deno fmt` writes them, so a card committed under models/ passes the
 * format check as written.
 */
import type { ModelCard } from "./model_card.ts";

/** The card as a markdown document. */
export function renderModelCardMarkdown(card: ModelCard): string {
  const test = card.metrics.test;
  const t = card.threshold.value;
  const ci = test.rocAucInterval;
  const lines = [
    "# Churn model card",
    "",
    `Gradient-boosted trees (logistic loss), trained ${card.model.trainedAt}.`,
    "",
    ...sourceLines(card),
    "",
    "## Held-out results",
    "",
    `Measured on the ${count(test.rows)} test rows, which training never saw.`,
    "",
    table(["metric", "value"], [
      [
        "ROC AUC",
        `${num(test.rocAuc)} [${num(ci.low)}, ${num(ci.high)}] (${pct(ci.level)} DeLong)`,
      ],
      ["PR AUC (average precision)", num(test.prAuc)],
      [`accuracy at ${t.toFixed(2)}`, num(test.accuracy)],
      ["majority-class accuracy", num(test.majorityClassAccuracy)],
      [`precision at ${t.toFixed(2)}`, num(test.precision)],
      [`recall at ${t.toFixed(2)}`, num(test.recall)],
      [`F1 at ${t.toFixed(2)}`, num(test.f1)],
      ["Brier score", num(test.brier)],
      ["log loss", num(test.logLoss)],
    ]),
    "",
    `Accuracy ${num(test.accuracy)} compares with ${num(test.majorityClassAccuracy)} for ` +
    "always predicting the more frequent class.",
    "",
    `Threshold: ${card.threshold.description}.`,
    "",
    table(["", "predicted churn", "predicted stay"], [
      ["churned", count(test.confusion.truePositives), count(test.confusion.falseNegatives)],
      ["stayed", count(test.confusion.falsePositives), count(test.confusion.trueNegatives)],
    ]),
    "",
    "## Calibration",
    "",
    "Test rows by predicted probability: a calibrated model's observed churn rate is close to " +
    "its mean prediction in each bin.",
    "",
    table(
      ["predicted", "rows", "mean predicted", "observed rate"],
      test.calibration.map((bin) => [
        `${bin.low.toFixed(1)}–${bin.high.toFixed(1)}`,
        count(bin.count),
        num(bin.meanPredicted),
        num(bin.observedRate),
      ]),
    ),
    "",
    "## Features",
    "",
    "Share of the total split gain, largest first.",
    "",
    table(
      ["feature", "importance"],
      card.importances.map(({ feature, importance }) => [`\`${feature}\``, num(importance)]),
    ),
    "",
    "## Training",
    "",
    `${card.training.treesUsed} trees kept of ${card.training.treesGrown} grown ` +
    `(at most ${card.hyperparameters.maxTrees}); ` +
    (card.training.stoppedEarly
      ? `stopped early after ${card.hyperparameters.earlyStoppingRounds} trees without a ` +
        "better validation log loss"
      : "no early stop") +
    `; best validation log loss ${num(card.training.bestValidationLogLoss, 4)}; ` +
    `${(card.training.durationMs / 1000).toFixed(1)} s.`,
    "",
    table(
      ["hyperparameter", "value"],
      Object.entries(card.hyperparameters).map(([key, value]) => [key, String(value)]),
    ),
    "",
  ];
  return lines.map((line) => line.startsWith("|") ? line : wrap(line)).join("\n");
}

/** Prose wrapped at 100 columns, greedily at spaces, as `deno fmt` wraps it (lineWidth 100). */
function wrap(paragraph: string, width = 100): string {
  const out: string[] = [];
  let line = "";
  for (const word of paragraph.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  out.push(line);
  return out.join("\n");
}

function sourceLines(card: ModelCard): string[] {
  const { source, rows, classBalance } = card.data;
  const head = source.kind === "csv"
    ? [
      `Data: \`${source.file}\`, label column \`${source.labelColumn}\`, split by ${source.split}; ` +
      `text columns ${source.categorical} encoded.`,
      ...(source.ignoredColumns.length === 0 ? [] : [
        "",
        "Not used as features: " +
        source.ignoredColumns
          .map(({ column, reason }) =>
            `\`${column}\` (${
              reason === "identifier" ? "an identifier: every value distinct" : "listed"
            })`
          )
          .join(", ") +
        ".",
      ]),
    ]
    : [
      `Data: ${source.description}; snapshots ${source.window.from} to ${source.window.to}, ` +
      `churn within ${source.horizonDays} days.`,
    ];
  const part = (name: string, n: number, balance: typeof classBalance.train) => [
    name,
    count(n),
    count(balance.positives),
    balance.positiveRate === null ? "—" : pct(balance.positiveRate, 1),
  ];
  return [
    ...head,
    "",
    table(["part", "rows", "churned", "churn rate"], [
      part("train", rows.train, classBalance.train),
      part("validation (early stopping)", rows.validation, classBalance.validation),
      part("test", rows.test, classBalance.test),
    ]),
  ];
}

/** A markdown table padded to its column widths, every cell left-aligned. */
function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows].map((row) => row.map((cell) => cell.replaceAll("|", "\\|")));
  const widths = header.map((_, c) => Math.max(3, ...all.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  const [head, ...body] = all;
  return [line(head!), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

function num(x: number | null, digits = 3): string {
  return x === null ? "—" : x.toFixed(digits);
}

function pct(x: number, digits = 0): string {
  return `${(x * 100).toFixed(digits)} %`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}
