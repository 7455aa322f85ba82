/** Shared steps of the privacy request tests. */
import type { ApiResponse, ApiTest } from "../../helpers/api.ts";
import { assertEquals } from "../../helpers/assert.ts";
import { pluginPersonalData } from "../../../engine/plugins/mod.ts";
import {
  noPersonalDataHolders,
  type PrivacyRequest,
  processPrivacyRequests,
} from "../../../engine/privacy/mod.ts";
import { NOW } from "../../helpers/fixtures.ts";

/** Asks for a request of `type` about `customerId`; returns the response. */
export function ask(api: ApiTest, type: string, customerId: string): Promise<ApiResponse> {
  return api.call("POST", "/api/privacy/request", { supplierId: customerId, type });
}

/** Asks and checks it was recorded (202); returns the request. */
export async function asked(api: ApiTest, type: string, customerId: string) {
  const response = await ask(api, type, customerId);
  assertEquals(response.status, 202, JSON.stringify(response.body));
  return response.body as PrivacyRequest;
}

/** Runs the job's work once at `now` (NOW by default). */
export function processAt(api: ApiTest, now: Date = NOW): Promise<PrivacyRequest[]> {
  return processPrivacyRequests(api.db, {
    holders: api.plugins ? pluginPersonalData(api.plugins) : noPersonalDataHolders,
    now: () => now,
  });
}

/** The files of a .tar.gz, by name. */
export async function untarGzip(bytes: Uint8Array): Promise<Map<string, string>> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  const tar = new Uint8Array(await new Response(stream).arrayBuffer());
  const files = new Map<string, string>();
  const decoder = new TextDecoder();
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = decoder.decode(header.subarray(0, 100)).replace(/\0.*$/s, "");
    const size = parseInt(decoder.decode(header.subarray(124, 136)).replace(/\0.*$/s, ""), 8);
    files.set(name, decoder.decode(tar.subarray(at + 512, at + 512 + size)));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
