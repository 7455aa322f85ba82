/**
 * The last few thousand ids seen, to recognize a repeat: the event hub
 * delivers at least once, and an intervention can be reported sent twice.
 * Bounded, so a feed that runs for months holds no more than `capacity` ids.
 */

/** A set that forgets its oldest ids beyond `capacity`. */
export class RecentIds<T> {
  readonly #capacity: number;
  // A Set iterates in insertion order, so its first id is the oldest.
  readonly #ids = new Set<T>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Records `id`; false when it was seen recently (a repeat). */
  add(id: T): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) {
      this.#ids.delete(this.#ids.values().next().value as T);
    }
    return true;
  }
}
