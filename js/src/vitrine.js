// Vitrine for shops: the one tag.
//   <script src="/vitrine/vitrine.js" data-model="/models/shop.vtm" defer></script>
// A classic script (so it works in any page without type="module") that loads the ES modules next to it with a
// dynamic import and starts them with this tag's data-* attributes. Until they are loaded, window.vitrine queues
// calls, so a consent manager may call vitrine.grantConsent() at any time. Every method returns a Promise.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || (window.vitrine && window.vitrine.isVitrine)) return; // included twice: keep the first
  try {
    performance.mark('vitrine:loader');
  } catch (ignored) {
    // no User Timing
  }
  var warned = false;
  function warn(error) {
    if (warned) return;
    warned = true;
    try {
      console.warn('[vitrine] could not start; the page stays as rendered: ' + ((error && error.message) || error));
    } catch (ignored) {
      // no console
    }
  }
  var dataset = {};
  for (var key in script.dataset) dataset[key] = script.dataset[key];
  var early = null;
  try {
    early = startEarly(dataset, script.src);
  } catch (ignored) {
    early = null; // the modules start everything themselves, a little later
  }
  var instance = null;
  var loaded;
  try {
    loaded = import(new URL('./index.mjs', script.src).href)
      .then(function (module) {
        instance = module.startFromScriptTag(dataset, early && early.handOver());
        return instance;
      })
      .catch(function (error) {
        if (early) early.stop();
        warn(error);
        return null;
      });
  } catch (error) {
    if (early) early.stop();
    warn(error);
    loaded = Promise.resolve(null);
  }
  function later(name, fallback) {
    return function () {
      var args = arguments;
      return loaded.then(function (v) {
        return v ? v[name].apply(v, args) : fallback;
      });
    };
  }

  // The ranking worker: unless data-worker="page", shared by the shop's pages where a shared worker can outlive a
  // page, so the next page finds the engine and the model loaded; else one per page. worker_client.mjs openRankingChannel documents the choice.
  function openChannel(url, kind) {
    var read = false;
    if (kind !== 'page' && typeof SharedWorker === 'function') {
      try {
        new SharedWorker('http://[', {
          get extendedLifetime() {
            read = true;
            return true;
          },
        });
      } catch (expected) {
        // the unparsable URL: only the options were wanted
      }
    }
    if (read) {
      var shared = new SharedWorker(url, { type: 'module', name: 'vitrine', extendedLifetime: true });
      return {
        port: shared.port,
        source: shared,
        shared: true,
        terminate: function () {
          shared.port.close();
        },
      };
    }
    if (typeof Worker !== 'function') return null;
    var own = new Worker(url, { type: 'module', name: 'vitrine' });
    return {
      port: own,
      source: own,
      shared: false,
      terminate: function () {
        own.terminate();
      },
    };
  }

  // The vault's frame and its channel (vault.mjs has the protocol). The hello is kept on the channel for the modules.
  function openVaultFrame(url, options, modelUrl) {
    var frame = document.createElement('iframe');
    frame.src = url.href;
    frame.title = 'Vitrine';
    frame.hidden = true;
    frame.tabIndex = -1;
    frame.setAttribute('aria-hidden', 'true');
    frame.setAttribute('data-vitrine-vault', '');
    frame.referrerPolicy = 'no-referrer';
    var pair = new MessageChannel();
    var channel = {
      port: pair.port1,
      source: frame,
      shared: false,
      vault: true,
      hello: null,
      terminate: function () {
        pair.port1.close();
        frame.remove();
      },
    };
    pair.port1.addEventListener('message', function (event) {
      var m = event.data;
      if (!channel.hello && m && (m.type === 'hello' || m.type === 'refused')) channel.hello = m;
    });
    pair.port1.start();
    var config = { model: modelUrl, worker: options.worker, consent: options.consent }; // 'not-required' here (startEarly)
    var keys = [
      'retentionDays',
      'maxEvents',
      'maxBytes',
      'rankEvents',
      'rankTimeoutMs',
      'modelTimeoutMs',
      'maxModelBytes',
      'modelIntegrity',
    ];
    for (var k = 0; k < keys.length; ++k) if (options[keys[k]] !== undefined) config[keys[k]] = options[keys[k]];
    frame.addEventListener(
      'load',
      function () {
        frame.contentWindow.postMessage({ type: 'vitrine-connect', v: 1, config: config }, url.origin, [pair.port2]);
      },
      { once: true }
    );
    (document.body || document.documentElement).appendChild(frame);
    return channel;
  }

  // data-holdout: the modules draw the shopper's arm (arm.mjs, armFor). Until a stored draw says 'on', nothing
  // starts early, so a shopper kept on the merchant's order never loads the engine or the model, nor is held.
  function heldOut(holdout) {
    var fraction = Number(holdout);
    if (!(fraction > 0 && fraction <= 1)) return false; // no holdout (out of range: config.mjs reads it as none)
    try {
      var draw = localStorage.getItem('vitrine.arm');
      return !(/^\d{1,10}$/.test(draw) && Number(draw) < 4294967296 && Number(draw) >= fraction * 4294967296);
    } catch (blocked) {
      return true;
    }
  }

  // What must not wait for the modules (they load after the shop's own scripts have begun rendering): the ranking
  // worker starts loading the engine and the model now, and, once they are loaded, a listing that appears before
  // the browser has painted it is held invisible (hold.mjs, which takes these holds over) for at most data-hold-ms
  // (default and cap 50 ms) from when it was parsed. Only when ranking will be attempted: a model, automatic ranking, no consent to wait for.
  function startEarly(options, base) {
    // Consent is required unless the tag says 'not-required' (consent.mjs): then nothing starts before it is given.
    if (!options.model || options.rank === 'off' || options.consent !== 'not-required') return null;
    if (heldOut(options.holdout)) return null;
    if (typeof WebAssembly !== 'object') return null;
    var cap = options.holdMs === undefined || options.holdMs === '' ? 50 : Number(options.holdMs);
    if (!(cap >= 0 && cap <= 50)) cap = 50;
    var workerFailed = false;
    var engineReady = false; // the worker answered the warm-up: engine and model loaded
    // Served from its own origin, the package keeps the history and ranks in its vault frame there: that frame starts
    // now instead of a worker (vault_client.mjs openVault makes it the same way, in ES5 here).
    var modelUrl = new URL(options.model.trim(), document.baseURI).href;
    var channel =
      new URL(base).origin !== location.origin
        ? openVaultFrame(new URL('./vault.html', base), options, modelUrl)
        : openChannel(new URL('./worker.mjs', base), options.worker); // as worker_client.mjs makes them, in ES5
    if (channel) {
      channel.port.addEventListener('message', function (event) {
        if (event.data && event.data.id === 0 && event.data.type === 'warm') engineReady = true;
      });
      if (channel.shared) channel.port.start();
      channel.source.onerror = function (event) {
        event.preventDefault();
        workerFailed = true; // the modules try again and report it
      };
      var limits = {};
      if (Number(options.modelTimeoutMs) > 0) limits.modelTimeoutMs = Number(options.modelTimeoutMs);
      if (Number(options.maxModelBytes) > 0) limits.maxModelBytes = Number(options.maxModelBytes);
      // Passed on as written: the worker refuses a malformed value rather than skip the check.
      if (options.modelIntegrity) limits.modelIntegrity = options.modelIntegrity;
      channel.port.postMessage({
        v: 1,
        id: 0,
        type: 'warm',
        modelUrl: modelUrl,
        modelTimeoutMs: limits.modelTimeoutMs,
        maxModelBytes: limits.maxModelBytes,
        modelIntegrity: limits.modelIntegrity,
      });
    }
    var held = [];
    var sheet = null;
    var observer = null;
    function release(entry) {
      var at = held.indexOf(entry);
      if (at < 0) return;
      held.splice(at, 1);
      clearTimeout(entry.timer);
      entry.list.removeAttribute('data-vitrine-hold');
      if (held.length === 0 && sheet) {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter(function (s) {
          return s !== sheet;
        });
        sheet = null;
      }
    }
    // Only once the engine is warm: before, a ranking cannot land within the cap and holding would only delay the
    // shop's listing (bench/page_shift.mjs).
    function hold(list, seenAt) {
      var left = cap - (performance.now() - seenAt);
      if (!engineReady || !(left > 0) || list.hasAttribute('data-vitrine-hold')) return;
      if (!sheet) {
        sheet = new CSSStyleSheet();
        // hold.mjs HOLD_RULE and holdKind, which say why (tests/js/hold_rule.test.mjs compares them).
        sheet.replaceSync(
          '[data-vitrine-hold]{visibility:hidden!important}' +
            '[data-vitrine-hold="unlaid"]{content-visibility:hidden;contain-intrinsic-block-size:100vh}'
        );
        document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
      }
      var entry = { list: list, seenAt: seenAt, timer: 0 };
      entry.timer = setTimeout(function () {
        release(entry);
      }, left);
      // A busy main thread delays timers: the first frame past the cap releases the listing before it is painted.
      var frame = function () {
        if (held.indexOf(entry) < 0) return;
        if (performance.now() - seenAt >= cap) release(entry);
        else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      list.setAttribute('data-vitrine-hold', list.hasAttribute('data-vitrine-long') ? 'unlaid' : '');
      held.push(entry);
    }
    var seen = [];
    function note(list, at) {
      for (var s = 0; s < seen.length; ++s) if (seen[s].list === list) return;
      seen.push({ list: list, at: at });
      hold(list, at);
    }
    function onRecords(records) {
      var at = performance.now();
      for (var r = 0; r < records.length; ++r) {
        var added = records[r].addedNodes;
        for (var n = 0; n < added.length; ++n) {
          var node = added[n];
          if (node.nodeType !== 1) continue;
          if (node.matches('[data-vitrine-list]')) note(node, at);
          var inner = node.querySelectorAll('[data-vitrine-list]');
          for (var k = 0; k < inner.length; ++k) note(inner[k], at);
        }
      }
    }
    if (
      cap > 0 &&
      typeof MutationObserver === 'function' &&
      typeof CSSStyleSheet === 'function' &&
      Array.isArray(document.adoptedStyleSheets)
    ) {
      var painted = performance.getEntriesByType('paint').length > 0 || document.visibilityState !== 'visible';
      var parsed = performance.getEntriesByType('navigation')[0];
      var parsedAt = parsed && parsed.domInteractive > 0 ? parsed.domInteractive : performance.now();
      if (!painted) {
        var present = document.querySelectorAll('[data-vitrine-list]');
        for (var i = 0; i < present.length; ++i) note(present[i], Math.min(parsedAt, performance.now()));
      }
      observer = new MutationObserver(onRecords);
      observer.observe(document.documentElement, { childList: true, subtree: true });
    }
    return {
      // For the modules (vitrine.mjs): the worker's channel, the listings seen so far and the holds still in place.
      handOver: function () {
        if (observer) {
          onRecords(observer.takeRecords());
          observer.disconnect();
        }
        var out = {
          channel: workerFailed ? null : channel,
          engineReady: engineReady,
          seen: seen,
          sheet: sheet,
          held: held.map(function (e) {
            clearTimeout(e.timer);
            return { list: e.list, seenAt: e.seenAt };
          }),
        };
        if (workerFailed && channel) channel.terminate();
        return out;
      },
      stop: function () {
        if (observer) observer.disconnect();
        while (held.length) release(held[0]);
        if (channel) channel.terminate();
      },
    };
  }

  window.vitrine = {
    isVitrine: true,
    get ready() {
      return loaded.then(function (v) {
        return v ? v.ready : undefined;
      });
    },
    track: later('track', false),
    explain: later('explain', null),
    profile: later('profile', null),
    exportData: later('exportData', null),
    forget: later('forget', false),
    optOut: later('optOut', false),
    optIn: later('optIn', false),
    grantConsent: later('grantConsent', false),
    revokeConsent: later('revokeConsent', false),
    refresh: later('refresh', false),
    destroy: later('destroy', undefined),
    status: function () {
      return instance
        ? instance.status()
        : { state: 'loading', storage: 'none', ranking: 'available', optedOutBy: null, problems: [] };
    },
  };
})();
