// Status codes of the C API, mirrored from core/include/vitrine/status_codes.h.
// tests/js/status_codes.test.mjs parses that header and fails if these drift from it.
export const Status = Object.freeze({
  OK: 0,
  INVALID_ARGUMENT: 1,
  MODEL_TRUNCATED: 2,
  MODEL_CORRUPT: 3,
  MODEL_VERSION: 4,
  LIMIT_EXCEEDED: 5,
  NO_MODEL: 6,
  OUT_OF_MEMORY: 7,
  BAD_INPUT: 8,
  INTERNAL: 9,
});

const names = Object.fromEntries(Object.entries(Status).map(([name, code]) => [code, name]));

/** Name of a status code ("MODEL_TRUNCATED"), or "UNKNOWN(n)". */
export function statusName(code) {
  return names[code] ?? `UNKNOWN(${code})`;
}

/** An error from the wasm engine: `status` is the numeric code, `statusName` its name. */
export class EngineError extends Error {
  constructor(status, message) {
    super(`${statusName(status)}: ${message}`);
    this.name = 'EngineError';
    this.status = status;
    this.statusName = statusName(status);
  }
}
