// What the benchmarks read of Vitrine's own User Timing entries (js/src/marks.mjs) in a Chromium page.

// Vitrine's start-up steps (marks) and its main-thread work (measures), a dedicated worker's marks moved to the page's
// clock (Playwright does not list shared workers: their steps show as '-').
export async function vitrineTimings(page) {
  const inPage = await page.evaluate(() => ({
    origin: performance.timeOrigin,
    marks: performance
      .getEntriesByType('mark')
      .filter((e) => e.name.startsWith('vitrine:'))
      .map((e) => [e.name, e.startTime]),
    work: performance
      .getEntriesByType('measure')
      .filter((e) => e.name.startsWith('vitrine:'))
      .map((e) => [e.startTime, e.duration, e.name.slice(8)]),
  }));
  const steps = Object.fromEntries(inPage.marks.map(([name, t]) => [name.slice(8), t]));
  const details = {}; // step -> the details of its worker marks, in order (vitrine:wasm-memory's { bytes })
  for (const worker of page.workers()) {
    const w = await worker
      .evaluate(() => ({
        origin: performance.timeOrigin,
        marks: performance
          .getEntriesByType('mark')
          .filter((e) => e.name.startsWith('vitrine:'))
          .map((e) => [e.name, e.startTime, e.detail ?? null]),
      }))
      .catch(() => null);
    for (const [name, t, detail] of w?.marks ?? []) {
      steps[name.slice(8)] = t + w.origin - inPage.origin;
      if (detail !== null) (details[name.slice(8)] ??= []).push(detail);
    }
  }
  return { steps, work: inPage.work, details };
}
