/**
 * The portability export: one `<table>.ndjson` per table (a JSON object per
 * line; plugin tables as `<plugin>.<table>.ndjson`) and a `manifest.json`
 * listing each file's table, rows and SHA-256, the schema version and when it
 * was generated, in a `.tar.gz`.
 */
import { sha256Hex } from "../hash.ts";
import type { CustomerExport } from "./customer_export.ts";
import { tarGzip } from "./tar_gzip.ts";

/** One entry of manifest.json. */
export interface ManifestFile {
  file: string;
  table: string;
  plugin: string | null;
  rows: number;
  sha256: string;
}

/** manifest.json. */
export interface PortabilityManifest {
  format: "cs-engine-portability";
  schemaVersion: number;
  generatedAt: string;
  requestId: number;
  customerId: string;
  files: ManifestFile[];
}

/** The archive's bytes and its manifest. */
export async function portabilityArchive(
  data: CustomerExport,
): Promise<{ archive: Uint8Array; manifest: PortabilityManifest }> {
  const entries: { file: string; table: string; plugin: string | null; rows: unknown[] }[] = [
    ...Object.entries(data.tables).map(([table, rows]) => ({
      file: `${table}.ndjson`,
      table,
      plugin: null,
      rows,
    })),
    ...Object.entries(data.plugins).flatMap(([plugin, tables]) =>
      Object.entries(tables).map(([table, rows]) => ({
        file: `${plugin}.${table}.ndjson`,
        table,
        plugin,
        rows,
      }))
    ),
  ];
  const encoder = new TextEncoder();
  const files = [];
  const listed: ManifestFile[] = [];
  for (const entry of entries) {
    const text = entry.rows.map((row) => JSON.stringify(row) + "\n").join("");
    files.push({ name: entry.file, content: encoder.encode(text) });
    listed.push({
      file: entry.file,
      table: entry.table,
      plugin: entry.plugin,
      rows: entry.rows.length,
      sha256: await sha256Hex(text),
    });
  }
  const manifest: PortabilityManifest = {
    format: "cs-engine-portability",
    schemaVersion: data.schemaVersion,
    generatedAt: data.generatedAt,
    requestId: data.requestId,
    customerId: data.customerId,
    files: listed,
  };
  files.unshift({
    name: "manifest.json",
    content: encoder.encode(JSON.stringify(manifest, null, 2) + "\n"),
  });
  return { archive: await tarGzip(files, new Date(data.generatedAt)), manifest };
}
