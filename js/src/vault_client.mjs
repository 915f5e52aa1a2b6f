// The page's side of the vault (vault.mjs): a hidden iframe of vault.html from the package's own origin, and a
// MessageChannel to it. Only that origin receives the channel's port (the connect message names it as the target
// origin), so other scripts on the page cannot take the page's place in this conversation. They can open their own
// vault frame, which is why the vault answers any page no more than it answers this one (vault.mjs).

/** The vault's URL when the package is served from another origin than the page's, else null (no isolation). */
export function vaultUrlFor(packageUrl, pageOrigin) {
  try {
    const url = new URL('./vault.html', packageUrl);
    return url.origin !== pageOrigin && (url.protocol === 'https:' || url.protocol === 'http:') ? url : null;
  } catch {
    return null;
  }
}

/** The configuration the vault needs: it keeps the history, fetches the model and ranks. */
export function vaultConfig(config) {
  const keys = ['model', 'retentionDays', 'maxEvents', 'maxBytes', 'rankEvents', 'rankTimeoutMs', 'modelTimeoutMs',
    'maxModelBytes', 'modelIntegrity', 'worker', 'dbName'];
  return Object.fromEntries(keys.map((k) => [k, config[k]]));
}

/**
 * Puts the vault frame into the page and connects to it. Returns { channel, hello }: `channel` as
 * worker_client.mjs openRankingChannel returns one (for a RankingClient; terminate() removes the frame), `hello` a
 * Promise of the vault's { optedOut, storage } that rejects when the vault refuses or does not answer in time.
 */
export function openVault({ doc, url, config, timeoutMs }) {
  const frame = doc.createElement('iframe');
  frame.src = url.href;
  frame.title = 'Vitrine';
  frame.hidden = true;
  frame.tabIndex = -1;
  frame.setAttribute('aria-hidden', 'true');
  frame.setAttribute('data-vitrine-vault', '');
  frame.referrerPolicy = 'no-referrer';
  const { port1, port2 } = new MessageChannel();
  frame.addEventListener('load', () => {
    frame.contentWindow?.postMessage({ type: 'vitrine-connect', v: 1, config: vaultConfig(config) }, url.origin, [port2]);
  }, { once: true });
  (doc.body ?? doc.documentElement).appendChild(frame);
  const channel = {
    port: port1,
    source: frame,
    shared: false,
    vault: true,
    hello: null,
    terminate() {
      port1.close();
      frame.remove();
    },
  };
  return adoptVault(channel, { origin: url.origin, timeoutMs });
}

/**
 * The hello of a vault channel: opened here (openVault) or by the one-tag loader (vitrine.js openVaultFrame), which
 * keeps a hello that came before the modules on `channel.hello`. Returns { channel, hello } as openVault does.
 */
export function adoptVault(channel, { origin = 'the vault', timeoutMs }) {
  const port = channel.port;
  let timer = 0;
  const hello = new Promise((resolve, reject) => {
    const settle = (m) => {
      clearTimeout(timer);
      if (m.type === 'refused') reject(new Error(String(m.reason)));
      else resolve({ optedOut: m.optedOut === true, storage: String(m.storage) });
    };
    if (channel.hello) {
      settle(channel.hello);
      return;
    }
    timer = setTimeout(() => reject(new Error(`${origin} did not answer in ${timeoutMs} ms`)), timeoutMs);
    port.addEventListener('message', function onHello(event) {
      const m = event.data;
      if (m?.type !== 'hello' && m?.type !== 'refused') return;
      port.removeEventListener('message', onHello);
      settle(m);
    });
    port.start();
  });
  const terminate = channel.terminate;
  channel.terminate = () => {
    clearTimeout(timer);
    terminate.call(channel);
  };
  return { channel, hello };
}

/**
 * Puts Vitrine's "your data" panel (panel.html from the vault's origin) into every [data-vitrine-panel] element not
 * filled yet: the shopper sees, downloads and erases the history there, and turns personalization off and on.
 * Its language follows <html lang>; its height, data-vitrine-panel-height (CSS pixels, default 320).
 */
export function mountPanels(doc, url) {
  for (const host of doc.querySelectorAll('[data-vitrine-panel]')) {
    if (host.querySelector('iframe[data-vitrine-panel-frame]')) continue;
    const frame = doc.createElement('iframe');
    const src = new URL('./panel.html', url);
    const lang = doc.documentElement?.lang;
    if (lang) src.searchParams.set('lang', lang);
    frame.src = src.href;
    frame.title = 'Your data';
    frame.referrerPolicy = 'no-referrer';
    frame.setAttribute('data-vitrine-panel-frame', '');
    const height = Number(host.getAttribute('data-vitrine-panel-height'));
    frame.style.width = '100%';
    frame.style.border = '0';
    frame.style.height = `${height >= 100 && height <= 2000 ? height : 320}px`;
    host.appendChild(frame);
  }
}
