/**
 * A library (or something built from it) that only some requests need, loaded with the first of
 * them rather than with the app: each is megabytes of heap a replica would otherwise hold from its
 * first second (root README, "Memory"; the lint rule `onDemandImports` keeps them out of static
 * imports).
 */
export interface OnFirstUse<T> {
  /** Starts the load on the first call; every call until it settles, and after, gets the same promise. */
  (): Promise<T>;
  /** What the load gave, once it has: for code that must not wait (or load) to read it. */
  readonly value: T | undefined;
  /** Whether a load is under way or done. */
  readonly started: boolean;
  /**
   * Hands the value to `use` once loaded, if a load has started (for closing what was made); a
   * load that fails, or none, gives undefined.
   */
  ifStarted<R>(use: (value: T) => R | Promise<R>): Promise<R | undefined>;
}

/**
 * Wraps `load` so it runs once, on the first call. A load that fails is not kept: the next call
 * runs `load` again rather than failing for the rest of the process's life.
 */
export function onFirstUse<T>(load: () => Promise<T>): OnFirstUse<T> {
  let loading: Promise<T> | undefined;
  let value: T | undefined;
  const get = () =>
    (loading ??= load().then(
      (loaded) => (value = loaded),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    ));
  const ifStarted = async <R>(use: (value: T) => R | Promise<R>): Promise<R | undefined> => {
    if (loading === undefined) return undefined;
    const loaded = await loading.catch(() => undefined);
    return loaded === undefined ? undefined : use(loaded);
  };
  return Object.defineProperties(get, {
    value: { get: () => value },
    started: { get: () => loading !== undefined },
    ifStarted: { value: ifStarted },
  }) as OnFirstUse<T>;
}
