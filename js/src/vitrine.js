// Vitrine for shops: the one tag.
//   <script src="/vitrine/vitrine.js" data-model="/models/shop.vtm" defer></script>
// A classic script (so it works in any page without type="module") that loads the ES modules next to it with a
// dynamic import and starts them with this tag's data-* attributes. Until they are loaded, window.vitrine queues
// calls, so a consent manager may call vitrine.grantConsent() at any time. Every method returns a Promise.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || (window.vitrine && window.vitrine.isVitrine)) return; // included twice: keep the first
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
  var instance = null;
  var loaded;
  try {
    loaded = import(new URL('./index.mjs', script.src).href)
      .then(function (module) {
        instance = module.startFromScriptTag(dataset);
        return instance;
      })
      .catch(function (error) {
        warn(error);
        return null;
      });
  } catch (error) {
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
      return instance ? instance.status() : { state: 'loading', storage: 'none', ranking: 'available', optedOutBy: null, problems: [] };
    },
  };
})();
