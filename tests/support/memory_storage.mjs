// An in-memory Web Storage (localStorage / sessionStorage) for Node tests of the journal and privacy code.
export class MemoryStorage {
  #map = new Map();
  get length() {
    return this.#map.size;
  }
  key(i) {
    return [...this.#map.keys()][i] ?? null;
  }
  getItem(k) {
    return this.#map.has(k) ? this.#map.get(k) : null;
  }
  setItem(k, v) {
    this.#map.set(k, String(v));
  }
  removeItem(k) {
    this.#map.delete(k);
  }
  /** Not in Web Storage: every key, for assertions. */
  keys() {
    return [...this.#map.keys()];
  }
}
