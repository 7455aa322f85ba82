/**
 * Validation of five-field cron expressions (minute hour day-of-month month
 * day-of-week, UTC), the form Deno.cron takes. Checked when the configuration
 * loads, so a typo stops the engine at once with the field named, instead of
 * failing later when the schedule is registered. Also computes when an
 * expression fires next, for the health checks' "is the cycle overdue".
 */
import { Cron } from "croner";

// Deno.cron counts days of the week 1–7 from Sunday (it rejects 0).
const FIELDS = [
  { name: "minute", min: 0, max: 59, hint: "" },
  { name: "hour", min: 0, max: 23, hint: "" },
  { name: "day of month", min: 1, max: 31, hint: "" },
  { name: "month", min: 1, max: 12, hint: "" },
  { name: "day of week", min: 1, max: 7, hint: " (1 = Sunday … 7 = Saturday)" },
] as const;

const PART = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

/** The first problem with `expression`, or null when it is a valid cron expression. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `has ${fields.length} field(s); a cron expression has five ` +
      `(minute hour day-of-month month day-of-week), e.g. "0 * * * *"`;
  }
  for (const [i, text] of fields.entries()) {
    const { name, min, max, hint } = FIELDS[i]!;
    for (const part of text.split(",")) {
      const match = PART.exec(part);
      if (!match) {
        return `${name} field "${text}" is not understood: use *, a number, a range a-b, ` +
          `a step */n or a-b/n, or a list of those separated by commas`;
      }
      const [, , from, to, step] = match;
      const numbers = [from, to].filter((n) => n !== undefined).map(Number);
      const outside = numbers.find((n) => n < min || n > max);
      if (outside !== undefined) {
        return `${name} field "${text}": ${outside} is outside ${min}–${max}${hint}`;
      }
      if (numbers.length === 2 && numbers[0]! > numbers[1]!) {
        return `${name} field "${text}": the range ${part} runs backwards`;
      }
      if (step !== undefined && Number(step) === 0) {
        return `${name} field "${text}": a step must be at least 1`;
      }
    }
  }
  return null;
}

/**
 * The first time after `after` at which `expression` (valid, UTC, Deno.cron's
 * numbering) fires. Deno.cron cannot tell, so croner computes it, told to count
 * days of the week 1–7 from Sunday as Deno.cron does.
 */
export function nextCronTick(expression: string, after: Date): Date | null {
  const cron = new Cron(expression, { paused: true, timezone: "UTC", alternativeWeekdays: true });
  try {
    return cron.nextRun(after);
  } finally {
    cron.stop();
  }
}

/** The next `count` ticks of `expression` after `after`. */
export function nextCronTicks(expression: string, after: Date, count: number): Date[] {
  const cron = new Cron(expression, { paused: true, timezone: "UTC", alternativeWeekdays: true });
  try {
    return cron.nextRuns(count, after);
  } finally {
    cron.stop();
  }
}

/** The scheduled ticks of `expression` after `after` up to and including `until`, at most `limit`. */
export function cronTicksBetween(
  expression: string,
  after: Date,
  until: Date,
  limit: number,
): Date[] {
  return nextCronTicks(expression, after, limit).filter((tick) => tick <= until);
}
