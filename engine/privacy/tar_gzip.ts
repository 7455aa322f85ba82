/**
 * A gzip-compressed tar (ustar) archive of small in-memory files: what the
 * portability export downloads as. Written here (about fifty lines) rather
 * than with a package: only regular files, names under 100 bytes.
 */

/** One file of the archive. */
export interface ArchiveFile {
  name: string;
  content: Uint8Array;
}

const BLOCK = 512;

/** The files as a `.tar.gz`. */
export async function tarGzip(files: readonly ArchiveFile[], modified: Date): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const file of files) {
    parts.push(header(file, modified), file.content, new Uint8Array(padding(file.content.length)));
  }
  parts.push(new Uint8Array(BLOCK * 2)); // The end of the archive: two empty blocks.
  const tar = new Blob(parts as BlobPart[]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(tar).arrayBuffer());
}

function header(file: ArchiveFile, modified: Date): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const name = new TextEncoder().encode(file.name);
  if (name.length >= 100) throw new Error(`Archive file name "${file.name}" is too long`);
  const put = (offset: number, text: string) => block.set(new TextEncoder().encode(text), offset);
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, "0") + "\0";
  block.set(name, 0);
  put(100, octal(0o644, 8)); // mode
  put(108, octal(0, 8)); // uid
  put(116, octal(0, 8)); // gid
  put(124, octal(file.content.length, 12));
  put(136, octal(Math.floor(modified.getTime() / 1000), 12));
  put(148, "        "); // The checksum counts its own field as spaces.
  put(156, "0"); // A regular file.
  put(257, "ustar\0");
  put(263, "00");
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  put(148, checksum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
