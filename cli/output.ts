/**
 * How commands talk to a person: plain lines on standard output for results,
 * errors on standard error without stack traces, and a progress bar for long
 * work (redrawn in place on a terminal, a line per 10% otherwise, so CI logs
 * stay readable — which is why it is not cli-progress, whose non-TTY output
 * is one line per update).
 */
import { EngineError } from "../engine/errors.ts";

const encoder = new TextEncoder();

/** Prints a line to standard output. */
export function say(line = ""): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

/** Prints a line to standard error. */
export function warn(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

/** Runs a command's main function; turns failures into a message and exit code 1. */
export async function runCommand(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof EngineError) {
      warn(`error: ${error.message}`);
      for (const issue of error.issues.slice(0, 20)) warn(`  ${issue.path}: ${issue.message}`);
      if (error.issues.length > 20) warn(`  … and ${error.issues.length - 20} more`);
    } else {
      warn(`error: ${error instanceof Error ? error.message : String(error)}`);
      if (Deno.env.get("DEBUG")) console.error(error);
    }
    Deno.exit(1);
  }
}

/** A progress display for `label`, of `total` units. */
export interface Progress {
  update(done: number, total?: number): void;
  done(summary?: string): void;
}

/** Starts a progress display on standard error. */
export function progress(label: string, total: number): Progress {
  const tty = Deno.stderr.isTerminal();
  const started = performance.now();
  let lastDecile = -1;
  let current = total;
  const line = (done: number) => {
    const fraction = current > 0 ? Math.min(1, done / current) : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const rate = done / Math.max(0.001, (performance.now() - started) / 1000);
    return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${
      Math.floor(fraction * 100)
    }% ${done.toLocaleString("en")}/${current.toLocaleString("en")} (${
      Math.round(rate).toLocaleString("en")
    }/s)`;
  };
  return {
    update(done, total) {
      if (total !== undefined) current = total;
      if (tty) {
        Deno.stderr.writeSync(encoder.encode(`\r${line(done)}\x1b[K`));
        return;
      }
      const decile = current > 0 ? Math.floor((done / current) * 10) : 10;
      if (decile > lastDecile) {
        lastDecile = decile;
        warn(line(done));
      }
    },
    done(summary) {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const text = `${label}: ${summary ?? "done"} in ${seconds} s`;
      if (tty) Deno.stderr.writeSync(encoder.encode(`\r${text}\x1b[K\n`));
      else warn(text);
    },
  };
}

/** One progress display per stage of a cycle, each finished when the next stage reports. */
export function stageProgress(label: (stage: string) => string): {
  update(stage: string, done: number, total: number): void;
  done(): void;
} {
  const bars = new Map<string, Progress>();
  const last = () => [...bars.values()].at(-1);
  return {
    update(stage, done, total) {
      let bar = bars.get(stage);
      if (!bar) {
        last()?.done();
        bar = progress(label(stage), total);
        bars.set(stage, bar);
      }
      bar.update(done, total);
    },
    done: () => last()?.done(),
  };
}
