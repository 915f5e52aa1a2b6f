// consent.mjs: how each standard signal is read, and that their combination fails closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  tcfDecision,
  applyConsentMode,
  consentModeDecision,
  combine,
  watchConsentSignals,
} from '../../js/src/consent.mjs';

const tc = (eventStatus, consents, gdprApplies = true) => ({ eventStatus, gdprApplies, purpose: { consents } });

test('TCF: purposes 1, 3 and 4 all consented, or GDPR not applying; undecided while the banner is up', () => {
  assert.equal(tcfDecision(tc('useractioncomplete', { 1: true, 3: true, 4: true }), true), 'granted');
  assert.equal(tcfDecision(tc('tcloaded', { 1: true, 3: true, 4: true }), true), 'granted');
  assert.equal(tcfDecision(tc('tcloaded', {}, false), true), 'granted');
  for (const missing of [1, 3, 4]) {
    const consents = { 1: true, 3: true, 4: true };
    consents[missing] = false;
    assert.equal(tcfDecision(tc('useractioncomplete', consents), true), 'denied', `purpose ${missing}`);
  }
  assert.equal(
    tcfDecision(tc('useractioncomplete', { 1: 'yes', 3: true, 4: true }), true),
    'denied',
    'only true is consent'
  );
  assert.equal(tcfDecision(tc('cmpuishown', { 1: true, 3: true, 4: true }), true), 'pending');
  assert.equal(tcfDecision(tc('useractioncomplete', { 1: true, 3: true, 4: true }), false), 'pending', 'a failed call');
  assert.equal(tcfDecision(null, true), 'pending');
});

test('Consent Mode: both fields granted, in order of the commands; unset is not consent', () => {
  const state = {};
  const gtag = function () {
    return arguments; // what gtag pushes to dataLayer
  };
  assert.equal(applyConsentMode(state, gtag('event', 'page_view')), false);
  assert.equal(consentModeDecision(state, false), null);
  assert.equal(
    applyConsentMode(
      state,
      gtag('consent', 'default', { ad_personalization: 'denied', personalization_storage: 'denied' })
    ),
    true
  );
  assert.equal(consentModeDecision(state, true), 'denied');
  applyConsentMode(state, gtag('consent', 'update', { ad_personalization: 'granted' }));
  assert.equal(consentModeDecision(state, true), 'denied');
  applyConsentMode(state, ['consent', 'update', { personalization_storage: 'granted' }]);
  assert.equal(consentModeDecision(state, true), 'granted');
  assert.equal(consentModeDecision({ ad_personalization: 'granted' }, true), 'denied', 'personalization_storage unset');
  assert.equal(applyConsentMode(state, gtag('consent', 'bogus', { personalization_storage: 'denied' })), false);
  assert.equal(consentModeDecision(state, true), 'granted');
});

test('signals combine closed: any no is no, any undecided waits, no signal says nothing', () => {
  assert.equal(combine([null, null]), null);
  assert.equal(combine(['granted', null]), 'granted');
  assert.equal(combine(['granted', 'denied']), 'denied');
  assert.equal(combine(['pending', 'granted']), 'pending');
  assert.equal(combine(['pending', 'denied']), 'denied');
});

test('watchConsentSignals follows a consent manager that answers at once and a throwing one that never grants', () => {
  const seen = [];
  let callback = null;
  const win = {
    __tcfapi: (command, version, cb) => {
      if (command === 'addEventListener') {
        callback = cb;
        cb(tc('cmpuishown', {}), true);
      }
    },
  };
  const watch = watchConsentSignals(win, (d) => seen.push(d));
  assert.equal(watch.decision, 'pending');
  callback(tc('useractioncomplete', { 1: true, 3: true, 4: true }), true);
  assert.equal(watch.decision, 'granted');
  callback(tc('useractioncomplete', { 1: true, 3: true, 4: false }), true);
  assert.deepEqual(seen, ['pending', 'granted', 'denied']);
  watch.stop();
  const broken = watchConsentSignals(
    {
      __tcfapi: () => {
        throw new Error('CMP not ready');
      },
    },
    () => {}
  );
  assert.equal(broken.decision, 'pending');
});
