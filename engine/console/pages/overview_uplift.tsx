/**
 * The overview's uplift against holdout: per week of planning, how many more
 * treated customers than held-out ones were still customers 30 days later,
 * charted, with the period's total and its 95% interval in words, and each
 * week's counts in a table.
 */
import type { WeeklyUplift } from "../../reports/mod.ts";
import { totalUplift } from "../../reports/mod.ts";
import { LineChart } from "../chart.tsx";

const signed = (share: number) => `${share >= 0 ? "+" : "−"}${Math.abs(share * 100).toFixed(1)}`;
const points = (share: number) => `${signed(share)} points`;
const rate = (share: number | null) => share === null ? "—" : `${(share * 100).toFixed(1)}%`;

/** The uplift section of the overview. */
export function Uplift(props: { weeks: readonly WeeklyUplift[] }) {
  const total = totalUplift(props.weeks);
  if (total.uplift === null) {
    return (
      <p>
        No uplift measured yet: a week counts once both its sends and its holdout group have a
        30-day retention measure, 30 days after they were planned
        {props.weeks.length > 0
          ? ` (${total.treatedMeasured} sends and ${total.holdoutMeasured} held out measured so far)`
          : ""}.
      </p>
    );
  }
  return (
    <>
      <p class="uplift-summary">
        Retained 30 days after: <strong>{rate(total.treatedRate)}</strong> of{" "}
        {total.treatedMeasured} treated customers against <strong>{rate(total.holdoutRate)}</strong>
        {" "}
        of {total.holdoutMeasured} held out: an uplift of <strong>{points(total.uplift)}</strong>
        {" "}
        (95% interval {points(total.upliftLow!)} to {points(total.upliftHigh!)}
        {total.upliftLow! > 0
          ? ", better than doing nothing"
          : ", not yet distinguishable from none"}).
      </p>
      <div class="charts">
        <LineChart
          id="uplift"
          title="Weekly uplift against holdout (points)"
          points={props.weeks.map((w) => ({ date: w.week, value: w.uplift }))}
          format={signed}
        />
      </div>
      <details>
        <summary>Each week's counts</summary>
        <div class="table-scroll" tabindex={0} role="region" aria-label="Uplift by week">
          <table class="stack-on-phone">
            <thead>
              <tr>
                <th scope="col">Week of</th>
                <th scope="col">Treated retained</th>
                <th scope="col">Held out retained</th>
                <th scope="col">Uplift</th>
              </tr>
            </thead>
            <tbody>
              {props.weeks.map((w) => (
                <tr>
                  <th scope="row">{w.week}</th>
                  <td data-label="Treated retained">
                    {w.treatedRetained} of {w.treatedMeasured} ({rate(w.treatedRate)})
                  </td>
                  <td data-label="Held out retained">
                    {w.holdoutRetained} of {w.holdoutMeasured} ({rate(w.holdoutRate)})
                  </td>
                  <td data-label="Uplift">{w.uplift === null ? "—" : points(w.uplift)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
