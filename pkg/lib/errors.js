/** A rejection by edge-sso: Zato's status and sub-status codes, and the reveal flag. */
export class SsoError extends Error {
  constructor(message, subStatus, reveal) {
    super(message);
    this.name = 'SsoError';
    this.status = 'error';
    this.sub_status = subStatus;
    this.reveal = reveal;
  }

  /** The first code, e.g. `'E007001'`. */
  get code() {
    return this.sub_status[0];
  }
}

/**
 * A failure of the host (the store, the runtime, a commit that kept losing), not a refusal of the
 * caller: E008004 / E008005, as the core's `SsoError::is_host_failure`. Answered with 500.
 */
export const isHostFailure = (e) => e.sub_status.some((code) => code === 'E008004' || code === 'E008005');

/** Turns whatever the wasm layer threw into an SsoError. */
export function toSsoError(e) {
  if (e instanceof SsoError) return e;
  if (e && typeof e === 'object' && e.__ssoError === true) {
    const codes = Array.isArray(e.sub_status) && e.sub_status.length ? e.sub_status.map(String) : ['E008004'];
    return new SsoError(String(e.message), codes, e.reveal === true);
  }
  // Never expected: an engine error (for instance out of memory). Its text is the engine's,
  // never one of our secrets.
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : 'unexpected failure';
  return new SsoError(`E008004 common.internal_error: ${detail}`, ['E008004'], false);
}
