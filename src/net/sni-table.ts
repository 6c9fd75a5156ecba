// Picks a value (a TLS context) by server name: exact names first, then `*.example.com`, then the default.

export class SniTable<T> {
  readonly #exact = new Map<string, T>();
  /** Keyed by the suffix after the star, with its dot: ".example.com". */
  readonly #wildcard = new Map<string, T>();
  #fallback: T | undefined;

  /** The first value added for a name wins, like sites matched in config order. */
  add(name: string, value: T): void {
    const lower = name.toLowerCase();
    if (lower.startsWith('*.')) {
      const suffix = lower.slice(1);
      if (!this.#wildcard.has(suffix)) this.#wildcard.set(suffix, value);
    } else if (!this.#exact.has(lower)) {
      this.#exact.set(lower, value);
    }
  }

  /** Used for clients that send no SNI (or a name nobody claims). */
  setDefault(value: T): void {
    this.#fallback ??= value;
  }

  get default(): T | undefined {
    return this.#fallback;
  }

  /** A wildcard covers exactly one label, as in RFC 6125 §6.4.3: *.a.com matches b.a.com, not c.b.a.com. */
  lookup(serverName: string): T | undefined {
    if (serverName === '') return this.#fallback;
    const name = serverName.toLowerCase();
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const wild = this.#wildcard.get(name.slice(dot));
      if (wild !== undefined) return wild;
    }
    return this.#fallback;
  }
}
