// Test examples (`label<TAB>prefix items separated by spaces`, one per line) for the evaluation lab. The same rules
// as the native reader (core/include/vitrine/session_data.h): positive integer ids, a non-empty prefix, a final
// newline optional, Windows line ends accepted, blank lines refused. Used by the build step (Node) and the replay
// worker (browser), so both read a file the same way.

/** Thrown for malformed input; `message` reads `source:line: problem`. */
export class ExampleFormatError extends Error {}

const MAX_ITEM_ID = 10_000_000; // kMaxItemId of the native reader

function parseItem(text, fail) {
  if (!/^[0-9]+$/.test(text)) fail(`'${text.slice(0, 40)}' is not an item id (a positive integer)`);
  const id = Number(text);
  if (id < 1) fail('item id 0 is reserved for padding');
  if (id > MAX_ITEM_ID) fail(`item id ${text.slice(0, 40)} is past the limit ${MAX_ITEM_ID}`);
  return id;
}

/**
 * Parses examples. `source` names the text in errors; with `catalogSize`, every id must be in 1..catalogSize.
 * @returns {{label: number, prefix: number[]}[]}
 */
export function parseExamples(text, source, catalogSize = MAX_ITEM_ID) {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const examples = [];
  lines.forEach((raw, index) => {
    const fail = (problem) => {
      throw new ExampleFormatError(`${source}:${index + 1}: ${problem}`);
    };
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const fields = line.split('\t');
    if (fields.length !== 2) {
      fail(`expected 'label<TAB>prefix items', found ${fields.length === 1 ? 'no tab' : 'more than one tab'}`);
    }
    const labelText = fields[0].trim();
    if (labelText === '') fail('empty label');
    const inCatalog = (id) => {
      if (id > catalogSize) fail(`item ${id} is outside the catalog of ${catalogSize} items`);
      return id;
    };
    const label = inCatalog(parseItem(labelText, fail));
    const prefix = fields[1]
      .split(' ')
      .filter((t) => t !== '')
      .map((t) => inCatalog(parseItem(t, fail)));
    if (prefix.length === 0) fail('empty prefix');
    examples.push({ label, prefix });
  });
  if (examples.length === 0) throw new ExampleFormatError(`${source}: no examples`);
  return examples;
}

/** One example as a line of the same format. */
export function formatExample({ label, prefix }) {
  return `${label}\t${prefix.join(' ')}`;
}

/** The lab's default sample: every `every`-th example, starting with the first (so it spans the whole split). */
export function everyKth(examples, every) {
  if (!Number.isInteger(every) || every < 1)
    throw new RangeError(`sample step must be a positive integer, got ${every}`);
  return examples.filter((_, i) => i % every === 0);
}
