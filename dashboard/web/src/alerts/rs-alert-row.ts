// One line of the alert feed, as a template (rows are rendered by the row list, not as elements
// of their own, to keep thousands of them cheap). Every value is a text binding: names and
// typologies from events can never become markup.
import { html } from 'lit';
import { alertHref } from '../app/routes.js';
import type { FeedAlert } from '../api/wire.js';
import { formatInteger, formatMinor, formatMoney, formatTime } from '../i18n/format.js';
import { typologyText, valueText } from '../i18n/messages.js';

export function alertAmountText(alert: FeedAlert): string {
  return alert.amount !== undefined ? formatMoney(alert.amount, alert.currency) : formatMinor(alert.amountMinor, alert.currency);
}

export function renderAlertRow(alert: FeedAlert) {
  return html`<a class="row" role="listitem" href=${alertHref(alert.id)} data-testid="alert-row" data-alert-id=${alert.id}>
    <span class="time">${formatTime(alert.createdAt)}</span>
    <span><span class="badge sev-${alert.severity}">${valueText(alert.severity)}</span></span>
    <span>${valueText(alert.domain)}</span>
    <span class="typology">${typologyText(alert.typology)}</span>
    <span class="num">${formatInteger(alert.score)}</span>
    <span class="mono account">${alert.accountId}</span>
    <span class="num">${alertAmountText(alert)}</span>
    <span>${valueText(alert.segment)}</span>
  </a>`;
}
