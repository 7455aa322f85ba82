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
  const start = (phase: SeedPhase, total: number) => {
    const started = progress(phaseLabel[phase], total);
    bars.set(phase, started);
    return started;
  };
  return (phase, done, total) => {
    const current = bars.get(phase) ?? start(phase, total);
    current.update(done, total);
    if (done !== total) return;
    current.done();
    // The seeder reports health scoring only when a scoring ends; start its
    // bar when milestones end, so it shows the first scoring's time.
    if (phase === "milestones") start("health", 1);
  };
}
