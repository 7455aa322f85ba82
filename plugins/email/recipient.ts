/** Whether an email address can be sent to at all. */

// A practical addr-spec: dot-atom local part, dot-separated domain labels
// (letters of any script for internationalized domains). Quoted local parts
// and address literals are valid but not what a customer record holds.
const LOCAL = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** True when `address` is a syntactically valid email address. */
export function isSendableAddress(address: string): boolean {
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return at > 0 && local.length <= 64 && address.length <= 254 && LOCAL.test(local) &&
    domain.split(".").every((label) => LABEL.test(label));
}
