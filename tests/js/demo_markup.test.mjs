// The demo's pages run under a CSP without 'unsafe-inline' (tools/demo/serve_demo.mjs): an inline <style>, a style
// attribute or an inline script would be dropped by the browser, so none may be in the markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from '../support/paths.mjs';

function htmlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return htmlFiles(file);
    return entry.name.endsWith('.html') ? [file] : [];
  });
}

test('no demo page has an inline <style>, a style attribute or an inline script', () => {
  const files = htmlFiles(path.join(repoRoot, 'demo-site'));
  assert.ok(files.length >= 10, `found ${files.length} pages`);
  const problems = [];
  for (const file of files) {
    const html = readFileSync(file, 'utf8');
    const name = path.relative(repoRoot, file);
    if (/<style[\s>]/i.test(html)) problems.push(`${name}: <style>`);
    if (/\sstyle\s*=/i.test(html)) problems.push(`${name}: style attribute`);
    for (const [tag] of html.matchAll(/<script\b[^>]*>/gi))
      if (!/\ssrc\s*=/i.test(tag)) problems.push(`${name}: inline script`);
    if (/\son[a-z]+\s*=/i.test(html)) problems.push(`${name}: inline event handler`);
  }
  assert.deepEqual(problems, []);
});
