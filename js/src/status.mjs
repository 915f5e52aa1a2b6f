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

/**
 * The package's one error type. `code` names what went wrong: an engine status ('MODEL_TRUNCATED', ...: then
 * `status` is its number and `statusName` its name), or a step around the engine ('TIMEOUT', 'WORKER',
 * 'MODEL_FETCH', 'BAD_REQUEST', ...: ranking_service.mjs ErrorCode and worker_client.mjs).
 */
export class VitrineError extends Error {
  constructor(code, message, { status } = {}) {
    super(message);
    this.name = 'VitrineError';
    this.code = code;
    if (status !== undefined) {
      this.status = status;
      this.statusName = statusName(status);
    }
  }
}

/** The engine's failure `status` (a code of status_codes.h) as a VitrineError: "MODEL_TRUNCATED: <message>". */
export function engineError(status, message) {
  const name = statusName(status);
  return new VitrineError(name, `${name}: ${message}`, { status });
}
