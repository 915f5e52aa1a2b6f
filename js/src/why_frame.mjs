// why.html's module: one item's reason, shown on the vault's origin inside the shop's product card (why.mjs opens
// this frame on the shopper's click). The reason comes from the vault frame of this tab over WHY_CHANNEL, by the
// ranking's ticket; the page's scripts can neither read this frame nor listen on that channel.
import { explanationText, isEngineFactors } from './explain.mjs';
import { frameMessages } from './frame_page.mjs';
import { WHY_CHANNEL } from './why.mjs';

const ANSWER_WAIT_MS = 3000;

const params = new URLSearchParams(location.hash.slice(1));
const say = await frameMessages(params);
const ticket = params.get('t') ?? '';
const item = params.get('i') ?? '';
const place = (name) => (/^\d{1,4}$/.test(params.get(name) ?? '') ? Number(params.get(name)) : undefined);
const move = { from: place('f'), to: place('o') };
const shown = document.getElementById('reason');
// Styled through the CSSOM: a shop's CSP without 'unsafe-inline' allows it, and it spares a stylesheet request.
Object.assign(document.body.style, {
  font: '13px/1.35 system-ui, sans-serif',
  margin: '0',
  padding: '2px 0',
  color: '#333',
});
shown.style.margin = '0';

const channel = new BroadcastChannel(WHY_CHANNEL);
const giveUp = setTimeout(() => finish(say.whyUnknown), ANSWER_WAIT_MS);

function finish(text) {
  clearTimeout(giveUp);
  channel.close();
  shown.textContent = text;
}

channel.onmessage = (event) => {
  const { type, reason } = event.data ?? {};
  if (type !== 'why-answer' || event.data.ticket !== ticket || event.data.item !== item) return;
  if (reason && isEngineFactors(reason.factors)) finish(explanationText(reason.factors, move, say));
  else finish(typeof reason?.text === 'string' && reason.text ? reason.text : say.whyUnknown);
};
channel.postMessage({ type: 'why-ask', ticket, item });
