/** Progress bars on standard error for the long steps: seeding and each pass. */
import { type Progress, progress } from "../../cli/output.ts";
import type { SeedPhase } from "../../engine/demo/mod.ts";

const phaseLabel: Record<SeedPhase, string> = {
  customers: "Seeding suppliers and events",
  milestones: "Evaluating milestones",
  health: "First health scoring",
};

/** A progress bar for `label`; its total can be given later with each update. */
export function bar(label: string, total = 0): Progress {
  return progress(label, total);
}

/** An onProgress callback for seedDemoData: a bar per phase. */
export function seedProgress(): (phase: SeedPhase, done: number, total: number) => void {
  const bars = new Map<SeedPhase, Progress>();
  return (phase, done, total) => {
    let current = bars.get(phase);
    if (!current) bars.set(phase, current = progress(phaseLabel[phase], total));
    current.update(done, total);
    if (done === total) current.done();
  };
}
