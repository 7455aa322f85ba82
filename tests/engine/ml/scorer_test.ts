import { assert, assertEquals, assertMatch, assertRejects } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { encodeOnnxModel } from "../../../engine/ml/onnx_export.ts";
import { loadChurnScorer, type OnnxRuntime } from "../../../engine/ml/scorer.ts";
import { predictProbabilities } from "../../../engine/ml/trees.ts";
import { randomEnsemble, randomRows } from "./_random_ensemble.ts";

const model = randomEnsemble({ trees: 30, depth: 5, features: 12, seed: 9 });
const featureNames = model.featureNames;
const bytes = encodeOnnxModel(model, { version: "2026-06-01.1" });
const rows = randomRows(model, 500, 1);
const expected = predictProbabilities(model, rows);

/**
 * A stand-in for onnxruntime-node. The real module's types describe a whole
 * native API; a fake implements the few calls the scorer makes, hence the cast.
 */
function fakeRuntime(create: () => Promise<unknown>): OnnxRuntime {
  class Tensor {
    constructor(readonly type: string, readonly data: Float32Array, readonly dims: number[]) {}
  }
  return { InferenceSession: { create }, Tensor } as unknown as OnnxRuntime;
}

Deno.test("loadChurnScorer() uses onnxruntime-node when it loads", async () => {
  const scorer = await loadChurnScorer(bytes, { prefer: "onnxruntime", featureNames });
  try {
    assertEquals([scorer.kind, scorer.reason, scorer.version], [
      "onnxruntime",
      undefined,
      "2026-06-01.1",
    ]);
    assertEquals(scorer.model, model);
    const scores = await scorer.score(rows, 500);
    assert(scores.every((p, i) => Math.abs(p - expected[i]!) <= 1e-6));
    // A batch is any prefix of a larger buffer, including a view that does not start at 0.
    const view = rows.subarray(12 * 100);
    const tail = await scorer.score(view, 10);
    // (onnxruntime sums trees in another order for small batches: float32 noise only.)
    assert(tail.every((p, i) => Math.abs(p - expected[100 + i]!) <= 1e-6));
    assertEquals(await scorer.score(rows, 0), new Float64Array(0));
  } finally {
    await scorer.close();
    await scorer.close(); // closing twice is harmless
  }
});

Deno.test("loadChurnScorer() with prefer typescript never loads onnxruntime", async () => {
  let imported = false;
  const scorer = await loadChurnScorer(bytes, {
    prefer: "typescript",
    featureNames,
    importRuntime: () => {
      imported = true;
      return Promise.reject(new Error("not wanted"));
    },
  });
  assertEquals([scorer.kind, scorer.reason, imported], [
    "typescript",
    "the TypeScript scorer is configured",
    false,
  ]);
  assertEquals(await scorer.score(rows, 500), expected);
  await scorer.close();
});

Deno.test("loadChurnScorer() falls back to the TypeScript scorer when onnxruntime does not load", async () => {
  const scorer = await loadChurnScorer(bytes, {
    prefer: "onnxruntime",
    featureNames,
    importRuntime: () =>
      Promise.reject(new Error('Requires ffi access to "onnxruntime_binding.node"\nstack…')),
  });
  assertEquals(scorer.kind, "typescript");
  assertEquals(
    scorer.reason,
    'onnxruntime-node did not load: Requires ffi access to "onnxruntime_binding.node"',
  );
  assertEquals(await scorer.score(rows, 500), expected);
});

Deno.test("loadChurnScorer() falls back when onnxruntime cannot create a session", async () => {
  const scorer = await loadChurnScorer(bytes, {
    prefer: "onnxruntime",
    featureNames,
    importRuntime: () =>
      Promise.resolve(fakeRuntime(() => Promise.reject(new Error("no CPU provider")))),
  });
  assertEquals([scorer.kind, scorer.reason], [
    "typescript",
    "onnxruntime-node cannot run the model: no CPU provider",
  ]);
});

Deno.test("loadChurnScorer() refuses a model onnxruntime scores differently from the engine", async () => {
  let released = false;
  const session = {
    run: (_feeds: unknown, [output]: string[]) =>
      Promise.resolve({ [output!]: { data: new Float32Array(256).fill(0.5) } }),
    release: () => {
      released = true;
      return Promise.resolve();
    },
  };
  const error = await assertRejects(
    () =>
      loadChurnScorer(bytes, {
        prefer: "onnxruntime",
        featureNames,
        importRuntime: () => Promise.resolve(fakeRuntime(() => Promise.resolve(session))),
      }),
    EngineError,
  );
  assertEquals([error.code, released], ["MODEL_UNSUPPORTED", true]);
  assertMatch(
    error.message,
    /onnxruntime and the engine's reading of its trees differ by up to 0\.\d+ on probe rows/,
  );
});

Deno.test("loadChurnScorer() refuses a mismatched model before choosing a scorer", async () => {
  for (const prefer of ["onnxruntime", "typescript"] as const) {
    const error = await assertRejects(
      () => loadChurnScorer(bytes, { prefer, featureNames: featureNames.slice(1) }),
      EngineError,
    );
    assertEquals(error.code, "MODEL_FEATURES_MISMATCH");
  }
});

Deno.test("ChurnScorer.score() refuses a buffer shorter than the rows it is asked for", async () => {
  for (const prefer of ["onnxruntime", "typescript"] as const) {
    const scorer = await loadChurnScorer(bytes, { prefer, featureNames });
    const error = await assertRejects(
      () => scorer.score(new Float32Array(12 * 3 - 1), 3),
      EngineError,
    );
    assertEquals(error.message, "Cannot score 3 rows of 12 features from 35 values");
    await scorer.close();
  }
});

Deno.test("a Deno without --allow-ffi scores with the TypeScript evaluator and says why", async () => {
  const path = await Deno.makeTempFile({ suffix: ".onnx" });
  try {
    await Deno.writeFile(path, bytes);
    const script = new URL("./_load_without_ffi.ts", import.meta.url).pathname;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--allow-read",
        "--allow-env",
        script,
        path,
        JSON.stringify(featureNames),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    const result = JSON.parse(new TextDecoder().decode(stdout));
    assertEquals(result.kind, "typescript");
    assertMatch(result.reason, /^onnxruntime-node did not load: .*--allow-ffi/);
    assertEquals(result.p, predictProbabilities(model, new Float32Array(12))[0]);
  } finally {
    await Deno.remove(path);
  }
});
