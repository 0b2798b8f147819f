// One line of the alert feed, as a template (rows are rendered by the row list, not as elements
// of their own, to keep thousands of them cheap). Every value is a text binding: names and
// typologies from events can never become markup.
import { html } from 'lit';
import { alertHref } from '../app/routes.js';
import type { FeedAlert } from '../api/wire.js';
import { formatDateTimeZoned, formatInteger, formatMinor, formatMoney, formatTime } from '../i18n/format.js';
import { msg, typologyText, valueText } from '../i18n/messages.js';

export function alertAmountText(alert: FeedAlert): string {
  return alert.amount !== undefined ? formatMoney(alert.amount, alert.currency) : formatMinor(alert.amountMinor, alert.currency);
}

/**
 * A row of the feed's table (role row, cells with role cell, the column headers in the feed). The
 * typology is the link to the alert, named for a screen reader by what the row is; its box covers
 * the whole row (`.row a::after` in the feed's styles), so a click anywhere on the row opens it.
 * `index` is the row's place in the feed (0 is the newest), for aria-rowindex under virtualisation.
 */
export function renderAlertRow(alert: FeedAlert, index = 0) {
  const time = formatTime(alert.createdAt);
  const typology = typologyText(alert.typology);
  const severity = valueText(alert.severity);
  return html`<div class="row" role="row" aria-rowindex=${index + 2} data-testid="alert-row" data-alert-id=${alert.id}>
    <span role="cell" class="time" title=${formatDateTimeZoned(alert.createdAt)}>${time}</span>
    <span role="cell"><span class="badge sev-${alert.severity}">${severity}</span></span>
    <span role="cell" class="domain">${valueText(alert.domain)}</span>
    <span role="cell" class="typology"
      ><a href=${alertHref(alert.id)} aria-label=${msg('alerts.rowLink', { typology, severity, account: alert.accountId, time })}>${typology}</a></span
    >
    <span role="cell" class="num">${formatInteger(alert.score)}</span>
    <span role="cell" class="mono account" title=${alert.accountId}>${alert.accountId}</span>
    <span role="cell" class="num">${alertAmountText(alert)}</span>
    <span role="cell" class="segment">${valueText(alert.segment)}</span>
  </div>`;
}
