/**
 * The customer's health: the latest score with its band and at-risk score,
 * the trend over the last days as a chart (chart.tsx, whose text alternative
 * gives the latest, first, lowest and highest), and each component with its
 * score, weight and what it measures.
 */
import type { CustomerHealth, HealthModel } from "../../health/mod.ts";
import { LineChart } from "../chart.tsx";
import { healthBand, utc, whole } from "./bands.ts";
import { readComponents, valueInWords } from "./component_words.ts";
import { TREND_DAYS } from "./load.ts";

const trendWords = {
  improving: "improving",
  declining: "declining",
  stable: "stable",
  unknown: "not known yet",
} as const;

/** The health section. */
export function HealthSection(
  props: { health: CustomerHealth; model: HealthModel; churned: boolean },
) {
  const { latest, trend, history } = props.health;
  if (!latest) {
    return (
      <p>
        {props.churned
          ? "No health score: the customer churned before their first scoring."
          : "No health score yet: the customer is scored in the next evaluation cycle once " +
            "they have signed up."}
      </p>
    );
  }
  const band = healthBand(latest.score);
  const change = (value: number | null, days: number) =>
    value === null ? null : `${value > 0 ? "+" : ""}${whole(value)} points over ${days} days`;
  const changes = [change(trend.change7d, 7), change(trend.change30d, 30)].filter(Boolean);
  return (
    <>
      <p class="score-line">
        Health <strong class={`score band-${band}`}>{whole(latest.score)}</strong> of 100,{" "}
        <strong>{band}</strong>; at-risk score {whole(latest.atRiskScore)} of 100. Trend{" "}
        {trendWords[trend.direction]}
        {changes.length > 0 ? ` (${changes.join(", ")})` : ""}.{" "}
        <span class="muted">
          Scored {utc(latest.scoredAt)} by health model {latest.modelVersion}.
        </span>
      </p>
      <div class="charts">
        <LineChart
          id="health-trend"
          title={`Health, last ${TREND_DAYS} days`}
          points={history.map((h) => ({ date: h.scoredAt.slice(0, 10), value: h.score }))}
          format={whole}
        />
      </div>
      <h3>Components</h3>
      <div class="table-scroll" tabindex={0} role="region" aria-label="Health components">
        <table class="stack-on-phone components">
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col">Score</th>
              <th scope="col">Weight</th>
              <th scope="col">Measures</th>
              <th scope="col">Value now</th>
            </tr>
          </thead>
          <tbody>
            {readComponents(latest.components, props.model).map((c) => (
              <tr>
                <th scope="row">{c.label}</th>
                <td data-label="Score">{whole(c.score)} / 100</td>
                <td data-label="Weight">
                  {c.weight === 0 ? "added on top" : `${whole(c.share * 100)}% of the score`}
                </td>
                <td data-label="Measures">{c.measures}</td>
                <td data-label="Value now">{valueInWords(c, props.model)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
