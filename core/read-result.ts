/**
 * The outcome of reading one value from a backend (a store, a SOPS file). `location` names where
 * the value lives (the composed backend key path, `file#key` for SOPS) and is safe to show: a
 * name, never a value. Errors are per request so that one failing key does not fail its
 * neighbours in a batch.
 */
export type ReadResult<V = unknown> =
  | { readonly status: 'found'; readonly location: string; readonly value: V }
  | { readonly status: 'missing'; readonly location: string }
  | { readonly status: 'error'; readonly location: string; readonly error: Error };
