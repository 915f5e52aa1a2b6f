// At most one console warning per Vitrine instance: a shop page must never fill the console because of us.
// Later problems are still kept (bounded) so status() can show them to a developer who asks.
const KEPT = 20;

export function createLogger(sink = globalThis.console) {
  let warned = false;
  const problems = [];
  return {
    warn(message, error) {
      const detail = error == null ? '' : String(error?.message ?? error);
      if (problems.length < KEPT) problems.push(detail ? `${message}: ${detail}` : message);
      if (warned) return;
      warned = true;
      try {
        sink?.warn?.(`[vitrine] ${message}${detail ? `: ${detail}` : ''}`);
      } catch {
        // a broken console must not break the page either
      }
    },
    get warned() {
      return warned;
    },
    get problems() {
      return problems.slice();
    },
  };
}
