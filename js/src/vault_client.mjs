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
  const keys = [
    'model',
    'consent',
    'retentionDays',
    'maxEvents',
    'maxBytes',
    'rankEvents',
    'rankTimeoutMs',
    'modelTimeoutMs',
    'maxModelBytes',
    'modelIntegrity',
    'worker',
    'dbName',
  ];
  return Object.fromEntries(keys.map((k) => [k, config[k]]));
}

/**
 * Puts the vault frame into the page and connects to it. Returns { channel, hello }: `channel` as
 * worker_client.mjs openRankingChannel returns one (for a RankingClient; terminate() removes the frame), `hello` a
 * Promise of the vault's { optedOut, storage } that rejects when the vault refuses or does not answer in time.
 */
export function openVault({ doc, url, config, timeoutMs, consentBasis = null }) {
  const frame = doc.createElement('iframe');
  frame.src = url.href;
  frame.title = 'Vitrine';
  frame.hidden = true;
  frame.tabIndex = -1;
  frame.setAttribute('aria-hidden', 'true');
  frame.setAttribute('data-vitrine-vault', '');
  frame.referrerPolicy = 'no-referrer';
  const { port1, port2 } = new MessageChannel();
  frame.addEventListener(
    'load',
    () => {
      frame.contentWindow?.postMessage(
        { type: 'vitrine-connect', v: 1, config: { ...vaultConfig(config), consentBasis } },
        url.origin,
        [port2]
      );
    },
    { once: true }
  );
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
      // consent: a vault that does not say is taken as not granted (consent fails closed).
      else
        resolve({
          optedOut: m.optedOut === true,
          storage: String(m.storage),
          consent: ['granted', 'refused'].includes(m.consent) ? m.consent : 'ask',
        });
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
  return mountFrames(doc, url, { host: 'data-vitrine-panel', page: './panel.html', title: 'Your data', height: 320 });
}

/**
 * Vitrine's own consent prompt, for a page with the vault and no consent manager: consent.html in every
 * [data-vitrine-consent] element (the shop renders it hidden; shown while the prompt is up). The shopper's answer is
 * kept on the vault's origin, where no page script can write it. Returns false when the page has no such element.
 * Height: data-vitrine-consent-height (default 120).
 */
export function mountConsentPrompts(doc, url) {
  return (
    mountFrames(doc, url, {
      host: 'data-vitrine-consent',
      page: './consent.html',
      title: 'Personalization',
      height: 120,
    }) > 0
  );
}

/** Takes the consent prompts away once the shopper answered, and hides their elements again. */
export function removeConsentPrompts(doc) {
  for (const frame of doc.querySelectorAll('iframe[data-vitrine-consent-frame]')) {
    const host = frame.parentElement;
    frame.remove();
    if (host) host.hidden = true;
  }
}

/** One frame of `page` per element with the attribute `host`; returns how many elements there are. */
function mountFrames(doc, url, { host: attribute, page, title, height: defaultHeight }) {
  const hosts = Array.from(doc.querySelectorAll(`[${attribute}]`));
  for (const host of hosts) {
    if (host.querySelector(`iframe[${attribute}-frame]`)) continue;
    const frame = doc.createElement('iframe');
    const src = new URL(page, url);
    const lang = doc.documentElement?.lang;
    if (lang) src.searchParams.set('lang', lang);
    frame.src = src.href;
    frame.title = title;
    frame.referrerPolicy = 'no-referrer';
    frame.setAttribute(`${attribute}-frame`, '');
    const height = Number(host.getAttribute(`${attribute}-height`));
    frame.style.width = '100%';
    frame.style.border = '0';
    frame.style.height = `${height >= 60 && height <= 2000 ? height : defaultHeight}px`;
    host.appendChild(frame);
    host.hidden = false;
  }
  return hosts.length;
}
