/**
 * Every failure the engine reports, as one coded error type.
 *
 * Callers branch on `code`; the HTTP layer turns codes into problem responses
 * in one place (engine/api/problem.ts). docs/errors.md lists every code.
 *
 * @example
 * ```ts
 * throw new EngineError("CUSTOMER_NOT_FOUND", `No customer "${id}"`);
 * ```
 */

/** What kind of failure a code is; decides the HTTP status. */
export type ErrorKind =
  | "validation"
  | "unauthenticated"
  | "forbidden"
  | "precondition_failed"
  | "precondition_required"
  | "rate_limited"
  | "unprocessable"
  | "not_found"
  | "gone"
  | "conflict"
  | "too_large"
  | "unsupported_media_type"
  | "method_not_allowed"
  | "unavailable"
  | "internal";

/** Each code with its kind and a short, stable title. */
export const errorCatalog = {
  VALIDATION_FAILED: { kind: "validation", title: "The request is not valid" },
  MALFORMED_JSON: { kind: "validation", title: "The body is not valid JSON" },
  UNKNOWN_CUSTOMER: { kind: "unprocessable", title: "The request names unknown customers" },
  EVENT_TIME_OUT_OF_RANGE: {
    kind: "unprocessable",
    title: "Event times are outside the accepted range",
  },
  UNAUTHENTICATED: { kind: "unauthenticated", title: "Authentication required" },
  FORBIDDEN: { kind: "forbidden", title: "Your role does not allow this" },
  RATE_LIMITED: { kind: "rate_limited", title: "Too many requests" },
  ETAG_MISMATCH: { kind: "precondition_failed", title: "The resource changed since you read it" },
  IF_MATCH_REQUIRED: { kind: "precondition_required", title: "If-Match is required" },
  CUSTOMER_NOT_FOUND: { kind: "not_found", title: "Customer not found" },
  TOKEN_NOT_FOUND: { kind: "not_found", title: "Token not found" },
  // Console users (issue 9)
  USER_NOT_FOUND: { kind: "not_found", title: "User not found" },
  USER_EXISTS: { kind: "conflict", title: "A user with this email exists" },
  CYCLE_NOT_FOUND: { kind: "not_found", title: "Cycle not found" },
  INBOX_MESSAGE_NOT_FOUND: { kind: "not_found", title: "Inbox message not found" },
  RULE_NOT_FOUND: { kind: "not_found", title: "Rule not found" },
  RULE_VERSION_NOT_FOUND: { kind: "not_found", title: "Rule version not found" },
  RULE_EXISTS: { kind: "conflict", title: "A rule with this id exists" },
  RULE_ARCHIVED: { kind: "conflict", title: "The rule is archived" },
  RULE_NOTHING_TO_PUBLISH: { kind: "conflict", title: "The rule has no draft to publish" },
  RULE_CHANGE_PENDING: { kind: "conflict", title: "A change to the rule waits for approval" },
  RULE_NO_PENDING_CHANGE: { kind: "conflict", title: "No change to the rule waits for approval" },
  RULE_APPROVAL_REQUIRED: { kind: "conflict", title: "Publishing needs an approval" },
  TEMPLATE_NOT_FOUND: { kind: "not_found", title: "Template not found" },
  TEMPLATE_VERSION_NOT_FOUND: { kind: "not_found", title: "Template version not found" },
  TEMPLATE_EXISTS: { kind: "conflict", title: "A template with this id exists" },
  TEMPLATE_ARCHIVED: { kind: "conflict", title: "The template is archived" },
  TEMPLATE_NOTHING_TO_PUBLISH: { kind: "conflict", title: "The template has no draft to publish" },
  TEMPLATE_RENDER_FAILED: { kind: "unprocessable", title: "The template cannot render" },
  ROUTE_NOT_FOUND: { kind: "not_found", title: "No such route" },
  METHOD_NOT_ALLOWED: { kind: "method_not_allowed", title: "Method not allowed on this route" },
  CYCLE_ALREADY_RUNNING: { kind: "conflict", title: "A cycle is already running" },
  RETENTION_ALREADY_RUNNING: { kind: "conflict", title: "A retention run is already running" },
  CUSTOMER_ERASED: { kind: "gone", title: "The customer was erased by a privacy request" },
  PRIVACY_REQUEST_NOT_FOUND: { kind: "not_found", title: "Privacy request not found" },
  PRIVACY_REQUEST_DUPLICATE: {
    kind: "conflict",
    title: "The same request for this customer is still open",
  },
  PRIVACY_EXPORT_NOT_READY: { kind: "conflict", title: "The privacy export is not ready" },
  PRIVACY_EXPORT_EXPIRED: { kind: "gone", title: "The privacy export has expired" },
  INTERVENTION_NOT_FOUND: { kind: "not_found", title: "Intervention not found" },
  INTERVENTION_NOT_RETRIABLE: { kind: "conflict", title: "The intervention cannot be retried" },
  CHANNEL_NOT_CONFIGURED: { kind: "conflict", title: "The channel is not configured" },
  INTERVENTION_NOT_SENT: { kind: "conflict", title: "The intervention was never sent" },
  TEST_SEND_FAILED: { kind: "unavailable", title: "The test could not be sent" },
  DATABASE_NOT_EMPTY: { kind: "conflict", title: "The database already has data" },
  CUSTOMER_EXTERNAL_ID_TAKEN: {
    kind: "conflict",
    title: "The external id belongs to another customer",
  },
  PAYLOAD_TOO_LARGE: { kind: "too_large", title: "The body is too large" },
  UNSUPPORTED_MEDIA_TYPE: {
    kind: "unsupported_media_type",
    title: "The body must be application/json",
  },
  CONFIG_INVALID: { kind: "internal", title: "The configuration is not valid" },
  DATABASE_UNAVAILABLE: { kind: "unavailable", title: "The database is unavailable" },
  DATA_DIR_IN_USE: { kind: "unavailable", title: "The data folder is in use" },
  ENGINE_STOPPING: { kind: "unavailable", title: "The engine is shutting down" },
  SCHEMA_TOO_NEW: { kind: "internal", title: "The database schema is newer than this engine" },
  MIGRATION_FAILED: { kind: "internal", title: "A migration failed" },
  MIGRATION_CHANGED: { kind: "internal", title: "An applied migration was changed" },
  PII_KEYS_INVALID: { kind: "internal", title: "The encryption keys cannot be used" },
  PII_KEY_MISSING: { kind: "internal", title: "An encryption key the data uses is missing" },
  PII_KEY_WRONG: { kind: "internal", title: "An encryption key does not match the data" },
  PII_DECRYPT_FAILED: { kind: "internal", title: "A stored personal value cannot be decrypted" },
  HEALTH_CHECK_INVALID: { kind: "internal", title: "A health check cannot be registered" },
  PLUGIN_INVALID: { kind: "internal", title: "A plugin cannot be registered" },
  // Plugin platform (issue 7)
  PLUGIN_DUPLICATE: { kind: "internal", title: "Two plugins have the same name" },
  PLUGIN_DEPENDENCY_UNMET: { kind: "internal", title: "A plugin's dependency is not there" },
  PLUGIN_ENGINE_UNSUPPORTED: { kind: "internal", title: "A plugin does not support this engine" },
  PLUGIN_CAPABILITY_UNDECLARED: {
    kind: "internal",
    title: "A plugin uses something its manifest does not declare",
  },
  PLUGIN_CONFIG_INVALID: { kind: "validation", title: "The plugin's configuration is not valid" },
  PLUGIN_IMPORT_FAILED: { kind: "internal", title: "A plugin's module cannot be loaded" },
  PLUGIN_NOT_FOUND: { kind: "not_found", title: "No such plugin" },
  PLUGIN_IN_USE: { kind: "conflict", title: "Other plugins need this plugin" },
  PLUGIN_UNAVAILABLE: { kind: "unavailable", title: "The plugin is not running" },
  IMPORT_FAILED: { kind: "validation", title: "The import file is not valid" },
  AUDIT_CHAIN_BROKEN: { kind: "internal", title: "The audit log's hash chain is broken" },
  // Training data (issue 6)
  DATASET_INVALID: { kind: "validation", title: "The training data cannot be used" },
  // ML models (issue 6)
  MODEL_INVALID: { kind: "unprocessable", title: "The model file is not valid" },
  MODEL_UNSUPPORTED: { kind: "unprocessable", title: "The engine cannot score this kind of model" },
  MODEL_FEATURES_MISMATCH: {
    kind: "unprocessable",
    title: "The model's features are not the engine's",
  },
  // Model registry and predictions (issue 6)
  MODEL_NOT_FOUND: { kind: "not_found", title: "No such model version" },
  MODEL_EXISTS: { kind: "conflict", title: "The model version is taken by another file" },
  NO_ACTIVE_MODEL: { kind: "conflict", title: "No churn model is active" },
  NO_PREVIOUS_MODEL: { kind: "conflict", title: "No model was active before this one" },
  MODEL_CARD_INCOMPLETE: { kind: "unprocessable", title: "The model card lacks what is needed" },
  MODEL_TRAINING_DATA_INSUFFICIENT: {
    kind: "validation",
    title: "Too little data to train a model",
  },
  PREDICTION_NOT_FOUND: { kind: "not_found", title: "No churn prediction yet" },
  ML_UNAVAILABLE: { kind: "unavailable", title: "Churn prediction is not running" },
  // Alert rules (issue 8)
  ALERT_RULE_NOT_FOUND: { kind: "not_found", title: "Alert rule not found" },
  ALERT_RULE_EXISTS: { kind: "conflict", title: "An alert rule with this id exists" },
  ALERT_NOT_FOUND: { kind: "not_found", title: "Alert not found" },
  ALERT_RESOLVED: { kind: "conflict", title: "The alert is resolved" },
  INTERNAL: { kind: "internal", title: "Internal error" },
} as const satisfies Record<string, { kind: ErrorKind; title: string }>;

/** A stable error code, e.g. `"VALIDATION_FAILED"`. */
export type ErrorCode = keyof typeof errorCatalog;

/** One bad field: where it is (`events[3].occurredAt`) and what to do about it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Options of an EngineError beyond its code and message. */
export interface EngineErrorOptions {
  cause?: unknown;
  issues?: readonly FieldIssue[];
  /** HTTP headers the response must carry (`Retry-After`, `WWW-Authenticate`, `ETag`). */
  headers?: Readonly<Record<string, string>>;
}

/** The engine's one error type: a code from the catalog, a message a person can act on. */
export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly FieldIssue[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: EngineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EngineError";
    this.code = code;
    this.issues = options.issues ?? [];
    this.headers = options.headers ?? {};
  }

  /** The kind of failure, from the catalog. */
  get kind(): ErrorKind {
    return errorCatalog[this.code].kind;
  }
}

/** True when `error` is an EngineError with the given code. */
export function isEngineError(error: unknown, code?: ErrorCode): error is EngineError {
  return error instanceof EngineError && (code === undefined || error.code === code);
}

/** Formats a path of keys and indexes the way our messages show it: `events[3].occurredAt`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}
