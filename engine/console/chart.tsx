/**
 * A small line chart as inline SVG, drawn on the server: no chart library,
 * no script. It is an image with a text alternative (first, last, lowest and
 * highest value), so a screen reader gets the trend too.
 */

/** One point; a day without a value has null. */
export interface ChartPoint {
  date: string;
  value: number | null;
}

const WIDTH = 320;
const HEIGHT = 120;
const PAD = { left: 40, right: 8, top: 10, bottom: 22 };

/** The chart of `points` under `title`, values shown with `format`. */
export function LineChart(props: {
  id: string;
  title: string;
  points: readonly ChartPoint[];
  format: (value: number) => string;
}) {
  const known = props.points.filter((p): p is { date: string; value: number } => p.value !== null);
  const titleId = `${props.id}-title`;
  if (known.length === 0) {
    return (
      <figure class="chart">
        <figcaption id={titleId}>{props.title}</figcaption>
        <p class="muted">No data yet: the daily metrics fill in as cycles run.</p>
      </figure>
    );
  }
  const values = known.map((p) => p.value);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low || Math.abs(high) || 1;
  const x = (i: number) =>
    PAD.left + (props.points.length === 1 ? 0 : i / (props.points.length - 1)) *
      (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - low) / span) * (HEIGHT - PAD.top - PAD.bottom);
  // Days without a value are skipped, not gaps: weekly history reads as one line.
  const points = props.points.flatMap((point, i) =>
    point.value === null ? [] : [`${x(i).toFixed(1)},${y(point.value).toFixed(1)}`]
  );
  const first = known[0]!;
  const last = known.at(-1)!;
  const summary = `${props.title}: ${props.format(last.value)} on ${last.date}, ` +
    `${props.format(first.value)} on ${first.date}; lowest ${props.format(low)}, ` +
    `highest ${props.format(high)}`;
  return (
    <figure class="chart">
      <figcaption id={titleId}>
        {props.title}: <strong>{props.format(last.value)}</strong>{" "}
        <span class="muted">({last.date})</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <line
          x1={PAD.left}
          y1={HEIGHT - PAD.bottom}
          x2={WIDTH - PAD.right}
          y2={HEIGHT - PAD.bottom}
          class="axis"
        />
        <text x={PAD.left - 4} y={PAD.top + 4} text-anchor="end" class="tick">
          {props.format(high)}
        </text>
        <text x={PAD.left - 4} y={HEIGHT - PAD.bottom} text-anchor="end" class="tick">
          {props.format(low)}
        </text>
        <text x={PAD.left} y={HEIGHT - 6} class="tick">{props.points[0]!.date}</text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end" class="tick">
          {props.points.at(-1)!.date}
        </text>
        {points.length === 1
          ? (
            <circle
              cx={points[0]!.split(",")[0]}
              cy={points[0]!.split(",")[1]}
              r="2.5"
              class="line-dot"
            />
          )
          : <polyline points={points.join(" ")} class="line" />}
      </svg>
    </figure>
  );
}
