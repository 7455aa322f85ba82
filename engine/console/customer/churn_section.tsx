/**
 * The churn prediction: probability, confidence, model and time, and its
 * reasons — the top feature contributions, each with its value, whether it
 * raises or lowers the risk, and a bar for its size. Says plainly when there
 * is no model or no prediction yet.
 */
import type { CustomerPrediction } from "../../ml/mod.ts";
import { percent, utc } from "./bands.ts";
import { contributionValue, direction } from "./contribution_words.ts";

/** The churn section. */
export function ChurnSection(
  props: { prediction: CustomerPrediction | null; activeModel: string | null; currency: string },
) {
  const { prediction } = props;
  if (!prediction) {
    return (
      <p class="no-prediction">
        {props.activeModel === null
          ? "No churn prediction: no churn model is active in this engine yet, so customers are " +
            "not scored for churn (an admin trains and activates one: docs/ml.md)."
          : `No churn prediction for this customer yet: the active model ${props.activeModel} ` +
            "scores customers in the churn stage of each evaluation cycle."}
      </p>
    );
  }
  const largest = Math.max(...prediction.contributions.map((c) => Math.abs(c.contribution)), 1e-9);
  return (
    <>
      <p class="score-line">
        Churn probability <strong class="score">{percent(prediction.probability)}</strong>{" "}
        within the model's horizon, confidence {percent(prediction.confidence)}{" "}
        ({prediction.confident ? "confident" : "not confident: read it with care"}).{" "}
        <span class="muted">
          Model {prediction.modelVersion}, predicted {utc(prediction.predictedAt)}.
        </span>
      </p>
      {prediction.contributions.length === 0
        ? <p>The prediction was logged without its reasons.</p>
        : (
          <>
            <h3 id="reasons">What drove it</h3>
            <ol class="contributions" aria-labelledby="reasons">
              {prediction.contributions.map((c) => (
                <li class={c.contribution > 0 ? "raises" : "lowers"}>
                  <span class="contribution-text">
                    <strong>{c.description}</strong>: {contributionValue(c, props.currency)} —{" "}
                    {direction(c)}{" "}
                    <span class="muted">
                      ({c.contribution > 0 ? "+" : ""}
                      {c.contribution.toFixed(2)} log-odds)
                    </span>
                  </span>
                  <svg
                    class="bar"
                    viewBox="0 0 100 6"
                    preserveAspectRatio="none"
                    aria-hidden="true"
                    focusable="false"
                  >
                    <rect
                      width={(Math.abs(c.contribution) / largest * 100).toFixed(1)}
                      height="6"
                    />
                  </svg>
                </li>
              ))}
            </ol>
          </>
        )}
    </>
  );
}
