/**
 * Rendering: a template version's definition and a customer's context → the
 * subject, HTML and text of one message. Each version is compiled once (its
 * definition never changes) in an isolated handlebars environment that knows
 * only the four block helpers; prototype properties and methods never
 * resolve; HTML parts escape every value, text parts (plain text and
 * markdown) and subjects do not.
 *
 * Limits, so no template can hang or flood a send: validated templates only
 * loop over `health.components` (a handful of entries), at most three
 * `#each` deep; on top of that a render stops with TEMPLATE_RENDER_FAILED
 * after 10,000 loop iterations, 100 ms spent in loops, or a part longer than
 * 256 KB.
 */
import { EngineError } from "../../errors.ts";
import type { TemplateContext } from "../template_context.ts";
import {
  compileOptions,
  createHandlebars,
  type HandlebarsEnv,
  RUNTIME_OPTIONS,
} from "./handlebars_env.ts";
import type { PartName, TemplateDefinition, TemplateVariant } from "./template_schema.ts";

/** Largest rendered part, in bytes of UTF-8. */
export const MAX_OUTPUT_BYTES = 256 * 1024;
/** Most time a render may spend in `#each` loops. */
export const RENDER_TIME_LIMIT_MS = 100;
/** Most `#each` iterations in one render. */
export const MAX_LOOP_ITERATIONS = 10_000;

/** A rendered message. */
export interface RenderedMessage {
  /** Email: the subject, on one line. Null for other channels. */
  subject: string | null;
  /** Email: the HTML part, if the template has one. */
  html: string | null;
  /** Email's text part; the markdown of Slack, webhook and in-app messages. */
  text: string;
  /** The locale variant used (`de`), or null for the base. */
  locale: string | null;
}

/** What to render: a template's version (null: its draft, which is not cached). */
export interface RenderSource {
  id: string;
  version: number | null;
  definition: TemplateDefinition;
}

/** Limits of a renderer; the defaults are the constants above. */
export interface RenderLimits {
  maxOutputBytes: number;
  timeLimitMs: number;
  maxLoopIterations: number;
}

type Compiled = (context: unknown, options: typeof RUNTIME_OPTIONS) => string;
type CompiledVariant = Partial<Record<PartName, Compiled>>;

/** Why a render stopped, turned into TEMPLATE_RENDER_FAILED with the part's name. */
class RenderLimitExceeded extends Error {}

interface LoopOptions {
  fn: (context: unknown, options?: unknown) => string;
}

/** Counts loop iterations, time and output while one render runs. */
class RenderGuard {
  #iterations = 0;
  #written = 0;
  readonly #deadline: number;

  constructor(readonly limits: RenderLimits) {
    this.#deadline = performance.now() + limits.timeLimitMs;
  }

  /** One more iteration of an `#each`, with the output it produced. */
  iteration(outputLength: number): void {
    this.#written += outputLength;
    if (++this.#iterations > this.limits.maxLoopIterations) {
      throw new RenderLimitExceeded(`more than ${this.limits.maxLoopIterations} loop iterations`);
    }
    // Nested loops count their output again in every enclosing loop: four times is generous.
    if (this.#written > 4 * this.limits.maxOutputBytes) {
      throw new RenderLimitExceeded(`loops wrote more than ${this.limits.maxOutputBytes} bytes`);
    }
    if (performance.now() > this.#deadline) {
      throw new RenderLimitExceeded(`loops ran longer than ${this.limits.timeLimitMs} ms`);
    }
  }
}

/**
 * Renders templates, compiling each version once. One renderer serves one
 * database: versions are cached by template id and version number.
 */
export class TemplateRenderer {
  readonly #hb: HandlebarsEnv;
  readonly #cache = new Map<string, Map<string, CompiledVariant>>();
  readonly #limits: RenderLimits;
  readonly #maxCached: number;
  #guard: RenderGuard | null = null;

  constructor(options: Partial<RenderLimits> & { maxCached?: number } = {}) {
    this.#limits = {
      maxOutputBytes: options.maxOutputBytes ?? MAX_OUTPUT_BYTES,
      timeLimitMs: options.timeLimitMs ?? RENDER_TIME_LIMIT_MS,
      maxLoopIterations: options.maxLoopIterations ?? MAX_LOOP_ITERATIONS,
    };
    this.#maxCached = options.maxCached ?? 1_000;
    this.#hb = createHandlebars();
    const each = this.#hb.helpers.each!;
    const guardOf = () => this.#guard;
    // The built-in #each, with every iteration counted against the render's limits.
    this.#hb.registerHelper("each", function (this: unknown, ...args: unknown[]) {
      const options = args.at(-1) as LoopOptions;
      const guard = guardOf();
      const fn = options.fn;
      const counted: LoopOptions = {
        ...options,
        fn: (context, runtime) => {
          const out = fn(context, runtime);
          guard?.iteration(out.length);
          return out;
        },
      };
      // The built-in's own arguments, with the counted options in place of the originals.
      return (each as (...args: unknown[]) => string).apply(this, [...args.slice(0, -1), counted]);
    });
  }

  /** Renders `source` for `context`, in `locale` (default: the customer's). */
  render(
    source: RenderSource,
    context: TemplateContext,
    options: { locale?: string | undefined } = {},
  ): RenderedMessage {
    const { definition } = source;
    const locale = pickLocale(definition, options.locale ?? context.customer.locale);
    const variant: TemplateVariant = locale === null ? definition : definition.locales![locale]!;
    const compiled = this.#compiled(source, locale ?? "");
    const part = (name: PartName): string | null => {
      const text = variant[name];
      if (text === undefined) return null;
      const template = compiled[name] ??= this.#hb.compile(
        text,
        compileOptions({ escape: name === "html" }),
      ) as Compiled;
      return this.#run(source, locale, name, template, context);
    };
    const subject = part("subject");
    return {
      // Values may hold line breaks; a subject header must not.
      subject: subject === null ? null : subject.replace(/\s+/g, " ").trim(),
      html: part("html"),
      text: part("text") ?? "",
      locale,
    };
  }

  #run(
    source: RenderSource,
    locale: string | null,
    part: PartName,
    template: Compiled,
    context: TemplateContext,
  ): string {
    const where = `${source.id} ${source.version === null ? "draft" : `v${source.version}`} ` +
      `${locale === null ? "" : `locales.${locale}.`}${part}`;
    this.#guard = new RenderGuard(this.#limits);
    let out: string;
    try {
      out = template(context, RUNTIME_OPTIONS);
    } catch (error) {
      const reason = error instanceof RenderLimitExceeded
        ? `${error.message}: simplify its loops`
        : `it failed (${error instanceof Error ? error.message : String(error)})`;
      throw renderFailed(where, reason, error);
    } finally {
      this.#guard = null;
    }
    const bytes = out.length > this.#limits.maxOutputBytes / 4
      ? new TextEncoder().encode(out).length
      : out.length;
    if (bytes > this.#limits.maxOutputBytes) {
      throw renderFailed(
        where,
        `it rendered ${bytes} bytes; at most ${this.#limits.maxOutputBytes}: shorten the template`,
      );
    }
    return out;
  }

  /** The compiled parts of a version's variant; drafts get a fresh, uncached entry. */
  #compiled(source: RenderSource, variantKey: string): CompiledVariant {
    if (source.version === null) return {};
    const key = `${source.id}@${source.version}`;
    let entry = this.#cache.get(key);
    if (entry === undefined) {
      if (this.#cache.size >= this.#maxCached) {
        this.#cache.delete(this.#cache.keys().next().value!);
      }
      entry = new Map();
      this.#cache.set(key, entry);
    }
    let variant = entry.get(variantKey);
    if (variant === undefined) entry.set(variantKey, variant = {});
    return variant;
  }
}

/**
 * The locale variant for `locale`: an exact match (`de-AT`), else its
 * language (`de`), else null (the base parts).
 */
export function pickLocale(
  definition: TemplateDefinition,
  locale: string | null | undefined,
): string | null {
  const keys = Object.keys(definition.locales ?? {});
  if (!locale || keys.length === 0) return null;
  const wanted = locale.replace("_", "-").toLowerCase();
  const exact = keys.find((key) => key.toLowerCase() === wanted);
  if (exact !== undefined) return exact;
  const language = wanted.split("-")[0]!;
  return keys.includes(language) ? language : null;
}

function renderFailed(where: string, reason: string, cause?: unknown): EngineError {
  return new EngineError("TEMPLATE_RENDER_FAILED", `Template ${where} cannot render: ${reason}`, {
    cause,
  });
}
