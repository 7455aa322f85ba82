/**
 * The engine's churn models at run time: the active model loaded once and
 * warmed up at start, any pinned version loaded on demand (a cycle scores
 * with the version it planned with), activation and rollback that load the
 * file before it becomes active — a model that does not load is refused and
 * the previous one stays — and what health reports: which model and scorer.
 */
import type { ChangeContext } from "../access/mod.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import { type ChurnModel, loadChurnModel, type ScorerPreference } from "./loaded_model.ts";
import {
  activateModel,
  activeModelVersion,
  getActiveModel,
  getModelFile,
  type ModelSummary,
  previousModelVersion,
} from "./registry.ts";

/** What health says about churn prediction. */
export interface ChurnModelStatus {
  activeVersion: string | null;
  loaded: boolean;
  scorer: "onnxruntime" | "typescript" | null;
  /** Why onnxruntime is not the scorer, when it is not. */
  scorerReason: string | null;
  loadError: string | null;
}

/** Loaded models by version, and the active one. */
export class ChurnModels {
  #db: Db;
  #scorer: ScorerPreference;
  #log: Logger;
  #loaded = new Map<string, Promise<ChurnModel>>();
  // How the last load of each version ended, for health.
  #outcomes = new Map<string, { model: ChurnModel } | { error: string }>();

  constructor(options: { db: Db; scorer: ScorerPreference; log: Logger }) {
    this.#db = options.db;
    this.#scorer = options.scorer;
    this.#log = options.log;
  }

  /** Loads and warms up the active model (if any); a failure is logged and reported, not thrown. */
  async warmUp(): Promise<ChurnModelStatus> {
    const active = await getActiveModel(this.#db);
    if (!active) return this.status();
    try {
      await this.version(active.version);
    } catch (error) {
      this.#log.error("the active churn model does not load: no churn predictions", { error });
    }
    return this.status();
  }

  /** Version `version`, loaded once. */
  version(version: string): Promise<ChurnModel> {
    let loading = this.#loaded.get(version);
    if (!loading) {
      loading = this.#load(version);
      this.#loaded.set(version, loading);
      // A failed load is not cached: the next cycle tries again.
      loading.catch(() => this.#loaded.delete(version));
    }
    return loading;
  }

  async #load(version: string): Promise<ChurnModel> {
    try {
      const file = await getModelFile(this.#db, version);
      const model = await loadChurnModel({ version, ...file }, { scorer: this.#scorer });
      this.#outcomes.set(version, { model });
      return model;
    } catch (error) {
      this.#outcomes.set(version, {
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  }

  /**
   * Makes `version` active after loading it (so a file that cannot score is
   * refused with its error and the active model stays).
   */
  async activate(
    version: string,
    change: ChangeContext & { reason?: string | null; action?: string },
  ): Promise<ModelSummary> {
    await this.version(version);
    return await activateModel(this.#db, version, change);
  }

  /**
   * ML_MODEL_VERSION: makes `version` active at start if it is not (an audit
   * entry); MODEL_NOT_FOUND if it is not registered.
   */
  async pin(version: string, change: ChangeContext): Promise<void> {
    if (await activeModelVersion(this.#db) === version) return;
    await this.activate(version, { ...change, reason: "ML_MODEL_VERSION at start" });
  }

  /** Activates the model that was active before the current one. */
  async rollback(change: ChangeContext & { reason?: string | null }): Promise<ModelSummary> {
    const previous = await previousModelVersion(this.#db);
    return await this.activate(previous, { ...change, action: "model.rolled_back" });
  }

  /** The active model and how it loaded. */
  async status(): Promise<ChurnModelStatus> {
    const active = await activeModelVersion(this.#db);
    const outcome = active ? this.#outcomes.get(active) : undefined;
    const model = outcome && "model" in outcome ? outcome.model : null;
    return {
      activeVersion: active,
      loaded: model !== null,
      scorer: model?.scorer.kind ?? null,
      scorerReason: model?.scorer.reason ?? null,
      loadError: outcome && "error" in outcome ? outcome.error : null,
    };
  }

  /** Releases the scorers. */
  async close(): Promise<void> {
    const models = await Promise.allSettled(this.#loaded.values());
    for (const model of models) {
      if (model.status === "fulfilled") await model.value.scorer.close();
    }
    this.#loaded.clear();
  }
}
