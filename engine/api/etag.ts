/**
 * ETags and If-Match: a strong ETag is a hash of the resource as the API
 * shows it, so any change gives a new one. A write with If-Match that no
 * longer matches is refused (412) instead of overwriting someone's edit.
 */
import { EngineError } from "../errors.ts";
import { canonicalJson, sha256Hex } from "../hash.ts";

/** The ETag of `resource` (quoted, as the header carries it). */
export async function etagOf(resource: unknown): Promise<string> {
  return `"${(await sha256Hex(canonicalJson(resource))).slice(0, 32)}"`;
}

/**
 * Checks an If-Match header against the current ETag (null when the resource
 * does not exist). No header passes unless `required`; `*` matches any
 * existing resource.
 */
export function assertIfMatch(
  ifMatch: string | undefined,
  current: string | null,
  options: { resource: string; required?: boolean },
): void {
  if (ifMatch === undefined) {
    if (!options.required) return;
    throw new EngineError(
      "IF_MATCH_REQUIRED",
      `Changing ${options.resource} needs If-Match: read it first and send its ETag back`,
    );
  }
  const wanted = ifMatch.split(",").map((tag) => tag.trim());
  const matches = current !== null && (wanted.includes("*") || wanted.includes(current));
  if (matches) return;
  throw new EngineError(
    "ETAG_MISMATCH",
    current === null
      ? `${options.resource} does not exist, so If-Match cannot match; drop If-Match to create it`
      : `${options.resource} changed since you read it (its ETag is now ${current}); read it ` +
        "again, apply your change to what is there, and send the new ETag",
    current === null ? {} : { headers: { ETag: current } },
  );
}
