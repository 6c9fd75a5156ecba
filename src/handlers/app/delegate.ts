// Makes a lightweight stand-in for a Web class (Request, Response) answer every field and method of
// the real class it does not define itself, through the real object it builds once, on demand.

/**
 * Copies onto `own` (a stand-in's prototype) a getter or method for each member of `real` (the
 * Web class's prototype) that `own` lacks: each asks `full(this)` for the real object and reads
 * or calls it there. Then `own` inherits from `real`, so `instanceof` and `toString` hold.
 * Runs once per class, at module load.
 */
export function delegateToFull(own: object, real: object, full: (self: never) => object): void {
  const target = own as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(real)) {
    if (name === 'constructor' || Object.prototype.hasOwnProperty.call(target, name)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(real, name);
    if (descriptor === undefined) continue;
    if (descriptor.get !== undefined) {
      Object.defineProperty(target, name, {
        configurable: true,
        get(this: never): unknown {
          return (full(this) as Record<string, unknown>)[name];
        },
      });
    } else if (typeof descriptor.value === 'function') {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(target, name, {
        configurable: true,
        writable: true,
        value(this: never, ...args: unknown[]): unknown {
          return method.apply(full(this), args);
        },
      });
    }
  }
  Object.setPrototypeOf(own, real);
}
