/**
 * The trainer's hyperparameters: one zod schema with the defaults, so the
 * command line, the retraining schedule and tests all get the same checks
 * and the model card records the values actually used.
 */
import { z } from "zod";
import { parseOrThrow } from "../../validation.ts";

/** Histograms have 256 slots per feature: up to 255 value bins and the missing bin. */
export const MAX_BINS = 255;

/** Hyperparameters of `trainGbdt`, each with its default. */
export const gbdtOptionsSchema = z.object({
  /** Shrinks every tree's leaf values; smaller learns slower and generalizes better. */
  learningRate: z.number().gt(0).max(1).default(0.1),
  /** Longest root-to-leaf path; depth 6 allows up to 64 leaves. */
  maxDepth: z.int().min(1).max(16).default(6),
  /** No leaf holds fewer training rows than this. */
  minSamplesLeaf: z.int().min(1).default(20),
  /** L2 penalty on leaf values (the λ in −G / (H + λ)). */
  l2: z.number().min(0).default(1),
  /** Boosting rounds at most. */
  maxTrees: z.int().min(1).max(10_000).default(300),
  /** Stop after this many trees without a better validation log loss; 0 turns it off. */
  earlyStoppingRounds: z.int().min(0).default(20),
  /** Share of the training rows held out (stratified) for early stopping; 0 uses none. */
  validationFraction: z.number().min(0).lt(1).default(0.1),
  /**
   * "balanced" weighs each class by n / (2 · its count), so churners count
   * as much as stayers in the loss; "none" keeps the data's own balance. On
   * the Telco set "none" ranks as well and keeps probabilities calibrated
   * (docs/ml.md), so it is the default.
   */
  classWeight: z.enum(["none", "balanced"]).default("none"),
  /** Seeds the validation split. */
  seed: z.int().default(42),
  /** Value bins per feature (quantiles of the training values), besides the missing bin. */
  maxBins: z.int().min(2).max(MAX_BINS).default(MAX_BINS),
});

/** Hyperparameters with every default filled in. */
export type GbdtOptions = z.output<typeof gbdtOptionsSchema>;

/** Hyperparameters as a caller gives them: any subset. */
export type GbdtOptionsInput = z.input<typeof gbdtOptionsSchema>;

/** Fills in defaults, or throws VALIDATION_FAILED naming each bad option. */
export function resolveGbdtOptions(input: GbdtOptionsInput = {}): GbdtOptions {
  return parseOrThrow(gbdtOptionsSchema, input, { what: "training options" });
}
