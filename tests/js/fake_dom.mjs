// A tiny DOM for Node unit tests of reorder, slots and explain: element children only, attribute selectors only
// ("[name]" and "[name=\"value\"]"), focus that is lost when a focused node is moved (as real insertBefore does),
// and innerHTML that throws so any HTML write is caught. Not a test file itself.
const SELECTOR = /^\[([\w-]+)(?:="([^"]*)")?\]$/;

function matcher(selector) {
  const m = SELECTOR.exec(selector.trim());
  if (!m) throw new Error(`fake DOM supports only attribute selectors, got ${selector}`);
  const [, name, value] = m;
  return (el) => el.hasAttribute(name) && (value === undefined || el.getAttribute(name) === value);
}

export class FakeElement {
  constructor(doc, tagName) {
    this.ownerDocument = doc;
    this.tagName = tagName.toUpperCase();
    this.attributes = new Map();
    this.children = [];
    this.parentNode = null;
    this.hidden = false;
    this.textContent = '';
    this.scrollTop = 0;
    this.scrollLeft = 0;
    this.listeners = new Map();
  }

  set innerHTML(_value) {
    throw new Error('innerHTML must never be used');
  }

  get innerHTML() {
    throw new Error('innerHTML must never be read');
  }

  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }

  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }

  hasAttribute(name) {
    return this.attributes.has(name);
  }

  append(...nodes) {
    for (const node of nodes) this.insertBefore(node, null);
    return this;
  }

  insertBefore(node, before) {
    const doc = this.ownerDocument;
    if (node.parentNode) {
      // Removing a node that holds focus blurs it, like a real browser.
      if (doc.activeElement && node.contains(doc.activeElement)) doc.activeElement = doc.body;
      const siblings = node.parentNode.children;
      siblings.splice(siblings.indexOf(node), 1);
    }
    const index = before === null ? this.children.length : this.children.indexOf(before);
    if (index < 0) throw new Error('reference node is not a child');
    this.children.splice(index, 0, node);
    node.parentNode = this;
    doc.moves += 1;
    return node;
  }

  get nextElementSibling() {
    if (!this.parentNode) return null;
    const siblings = this.parentNode.children;
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }

  get firstElementChild() {
    return this.children[0] ?? null;
  }

  contains(other) {
    for (let n = other; n; n = n.parentNode) if (n === this) return true;
    return false;
  }

  *descendants() {
    for (const child of this.children) {
      yield child;
      yield* child.descendants();
    }
  }

  querySelector(selector) {
    const match = matcher(selector);
    for (const el of this.descendants()) if (match(el)) return el;
    return null;
  }

  querySelectorAll(selector) {
    const match = matcher(selector);
    return [...this.descendants()].filter(match);
  }

  closest(selector) {
    const match = matcher(selector);
    for (let n = this; n && n instanceof FakeElement; n = n.parentNode) if (match(n)) return n;
    return null;
  }

  focus() {
    this.ownerDocument.activeElement = this;
  }

  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
  }

  removeEventListener(type, fn) {
    this.listeners.get(type)?.delete(fn);
  }

  dispatch(type) {
    for (const fn of this.listeners.get(type) ?? []) fn({ type, target: this });
  }
}

export class FakeDocument {
  constructor() {
    this.moves = 0;
    this.body = new FakeElement(this, 'body');
    this.activeElement = this.body;
    const view = { scrollX: 0, scrollY: 0, scrollTo: (x, y) => Object.assign(view, { scrollX: x, scrollY: y }) };
    this.defaultView = view;
    this.listeners = new Map();
  }

  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
  }

  removeEventListener(type, fn) {
    this.listeners.get(type)?.delete(fn);
  }

  /** An event at `target` (default: the document itself), as the document's capturing listeners see it. */
  dispatch(type, target = this) {
    for (const fn of this.listeners.get(type) ?? []) fn({ type, target });
  }

  /** el('li', {'data-vitrine-item': 'a'}, ...children) */
  el(tag, attrs = {}, ...children) {
    const element = new FakeElement(this, tag);
    for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
    element.append(...children);
    return element;
  }
}

/** A listing of items: ids like 'a', pinned ids get data-vitrine-pin; '#banner' makes a non-item child. */
export function makeList(doc, ids, { pinned = [] } = {}) {
  const list = doc.el('ul', { 'data-vitrine-list': '' });
  for (const id of ids) {
    if (id.startsWith('#')) list.append(doc.el('li', { class: id.slice(1) }));
    else {
      const attrs = { 'data-vitrine-item': id };
      if (pinned.includes(id)) attrs['data-vitrine-pin'] = '';
      list.append(doc.el('li', attrs));
    }
  }
  doc.body.append(list);
  doc.moves = 0;
  return list;
}

export function order(list) {
  return list.children.map((c) => c.getAttribute('data-vitrine-item') ?? `#${c.getAttribute('class')}`);
}
