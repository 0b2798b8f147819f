// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { LitElement, html } from 'lit';
import { LocaleController, getLocale, setLocale } from './locale.js';
import { CATALOGS, msg, msgCount, typologyText } from './messages.js';
import starterRules from '../../../../processors/fraud/starter-rules.json';
import { PATTERN_NAMES } from '../../../../ingest/simulator/scenario.js';
import { PAYMENT_FEATURES } from '../../../../processors/features/names.js';
import { SCORER_ERROR_TYPOLOGY } from '../../../../processors/decide/index.js';
import { renderAlertRow } from '../alerts/rs-alert-row.js';
import { makeAlert } from '../test-support/fakes.js';
import { render } from 'lit';
import { en } from './messages-en.js';
import { zhCN } from './messages-zh-CN.js';
import '../app/rs-language-switch.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

class LocaleProbe extends LitElement {
  private readonly _locale = new LocaleController(this);
  override render() {
    return html`<span>${msg('nav.alerts')}</span>`;
  }
}
customElements.define('rs-locale-probe', LocaleProbe);

describe('i18n', () => {
  afterEach(() => {
    setLocale('en');
    document.body.innerHTML = '';
  });

  it('i18n - every catalog has exactly the English keys', () => {
    const keys = Object.keys(en).sort();
    for (const [locale, catalog] of Object.entries(CATALOGS)) {
      expect(Object.keys(catalog).sort(), locale).toEqual(keys);
    }
  });

  it('i18n - translations keep the placeholders of the English text and are not left empty', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
      expect(zhCN[key].trim(), key).not.toBe('');
    }
  });

  it('i18n - fills placeholders with the given values', () => {
    expect(msg('alerts.countPaused', { count: '1,200', pending: 7 })).toBe('1,200 alerts in view, 7 new while paused');
  });

  it('i18n - every feature the scorers read has a name in words in every language', () => {
    for (const name of PAYMENT_FEATURES) {
      expect(en, name).toHaveProperty([`feature.${name}`]);
      expect(zhCN, name).toHaveProperty([`feature.${name}`]);
    }
  });

  it('i18n - counted text takes the singular for one and the plural otherwise', () => {
    const table: Array<[number, string]> = [
      [0, 'Missed 0 alerts — caught up'],
      [1, 'Missed 1 alert — caught up'],
      [2, 'Missed 2 alerts — caught up'],
      [1200, 'Missed 1,200 alerts — caught up'],
    ];
    for (const [count, text] of table) expect(msgCount('conn.missedCaughtUp', count), String(count)).toBe(text);
    setLocale('zh-CN');
    expect(msgCount('conn.missedCaughtUp', 1)).toBe('漏收 1 条预警——已补齐');
  });

  it('i18n - switching the language re-renders components and is remembered', async () => {
    const probe = document.createElement('rs-locale-probe') as LocaleProbe;
    document.body.append(probe);
    await probe.updateComplete;
    expect(probe.shadowRoot!.textContent).toContain('Alerts');

    setLocale('zh-CN');
    await probe.updateComplete;
    expect(getLocale()).toBe('zh-CN');
    expect(probe.shadowRoot!.textContent).toContain('预警');
    expect(localStorage.getItem('rs.locale')).toBe('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
  });

  it('i18n - the language switcher changes the language', async () => {
    const switcher = document.createElement('rs-language-switch');
    document.body.append(switcher);
    await switcher.updateComplete;
    const select = switcher.shadowRoot!.querySelector<HTMLSelectElement>('[data-testid="language-switch"]')!;
    select.value = 'zh-CN';
    select.dispatchEvent(new Event('change'));
    expect(getLocale()).toBe('zh-CN');
    await switcher.updateComplete;
    expect(select.getAttribute('aria-label')).toBe('语言');
  });

  it('i18n - names every typology the rules and decide() raise and the simulator plants, in Chinese; English keeps the identifier', () => {
    const typologies = new Set([...starterRules.rules.map((r) => r.typology), ...PATTERN_NAMES, SCORER_ERROR_TYPOLOGY]);
    for (const typology of typologies) {
      expect(typologyText(typology), typology).toBe(typology);
    }
    setLocale('zh-CN');
    for (const typology of typologies) {
      expect(typologyText(typology), typology).not.toBe(typology);
      expect(typologyText(typology), typology).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(typologyText('something_new')).toBe('something_new');
  });

  it('i18n - the alert feed row shows the typology in the language chosen', () => {
    setLocale('zh-CN');
    const host = document.createElement('div');
    render(renderAlertRow(makeAlert({ typology: 'card_testing' })), host);
    expect(host.querySelector('.typology')!.textContent).toBe('盗卡测试');
  });
});
