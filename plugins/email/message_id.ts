/** The Message-ID of an intervention email, derived from its dedup key. */

// RFC 5322 atext without "=" (the escape) and "." (dots may not lead, trail or repeat).
const ATEXT = /[A-Za-z0-9!#$%&'*+\-/?^_`{|}~]/;

/**
 * `<dedupKey@domain>`, with every character a Message-ID may not hold written
 * as `=XX` (its UTF-8 bytes in hex). The same key gives the same id on every
 * attempt, so a receiving system that saw the first copy can drop a second.
 */
export function messageIdFor(dedupKey: string, domain: string): string {
  let left = "";
  for (const char of dedupKey) {
    if (ATEXT.test(char)) left += char;
    else {
      for (const byte of new TextEncoder().encode(char)) {
        left += `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
      }
    }
  }
  return `<${left}@${domain}>`;
}
