// @vitest-environment happy-dom
// The fixed-height virtual list: which rows are rendered for a scroll position, that rows keep
// their elements when rows are added above, and that the view stays on its row when it is scrolled.
import { html } from 'lit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeLayout } from '../test-support/happy-dom-shims.js';
import { settle } from '../test-support/fakes.js';
import { RsRowList, visibleRange } from './rs-row-list.js';

type Item = { readonly id: string };

const items = (from: number, to: number): Item[] => Array.from({ length: to - from }, (_, i) => ({ id: `i${to - 1 - i}` }));

function mount(list: readonly Item[]): RsRowList<Item> {
  const element = document.createElement('rs-row-list') as RsRowList<Item>;
  element.keyFunction = (item) => item.id;
  element.renderItem = (item, index) => html`<div class="row" data-id=${item.id} data-index=${index}>${item.id}</div>`;
  element.items = list;
  document.body.append(element);
  return element;
}

const rendered = (element: HTMLElement) => [...element.querySelectorAll<HTMLElement>('.row')];

describe('visibleRange', () => {
  it('covers the view and the overscan on each side, within the items', () => {
    expect(visibleRange(0, 640, 32, 1000, 6)).toEqual({ first: 0, end: 26 });
    expect(visibleRange(3200, 640, 32, 1000, 6)).toEqual({ first: 94, end: 126 });
    expect(visibleRange(3210, 640, 32, 1000, 6)).toEqual({ first: 94, end: 127 });
    expect(visibleRange(31_500, 640, 32, 1000, 6)).toEqual({ first: 978, end: 1000 });
  });

  it('renders nothing for no items, and something for a view not measured yet only through the overscan', () => {
    expect(visibleRange(0, 640, 32, 0, 6)).toEqual({ first: 0, end: 0 });
    expect(visibleRange(0, 0, 32, 100, 6)).toEqual({ first: 0, end: 6 });
  });

  it('never starts past the last item, however far the view was scrolled', () => {
    expect(visibleRange(99_999, 640, 32, 10, 6)).toEqual({ first: 9, end: 10 });
  });
});

describe('rs-row-list', () => {
  let undoLayout: () => void = () => {};
  beforeEach(() => {
    document.body.innerHTML = '';
    undoLayout = fakeLayout({ width: 800, height: 640 }, 32);
  });
  afterEach(() => {
    undoLayout();
    document.body.innerHTML = '';
  });

  it('renders the rows in view and a few beyond, in a spacer as tall as every row', async () => {
    const element = mount(items(0, 5000));
    await settle(element);
    const rows = rendered(element);
    expect(rows.map((r) => r.dataset['index'])).toEqual(Array.from({ length: 26 }, (_, i) => String(i)));
    expect((element.firstElementChild as HTMLElement).style.height).toBe(`${5000 * 32}px`);
    expect(element.tabIndex).toBe(0);
  });

  it('follows the scroll position', async () => {
    const element = mount(items(0, 5000));
    await settle(element);
    element.scrollTop = 3200;
    element.dispatchEvent(new Event('scroll'));
    await settle(element);
    const rows = rendered(element);
    expect(rows[0]!.dataset['index']).toBe('94');
    expect(rows.at(-1)!.dataset['index']).toBe('125');
    expect((element.firstElementChild!.firstElementChild as HTMLElement).style.transform).toBe(`translateY(${94 * 32}px)`);
  });

  it('keeps the elements of rows that stay when rows are added above', async () => {
    const element = mount(items(0, 100));
    await settle(element);
    const before = new Map(rendered(element).map((row) => [row.dataset['id'], row]));
    element.items = [...items(100, 103), ...element.items];
    await settle(element);
    const rows = rendered(element);
    expect(rows.slice(0, 3).map((r) => r.dataset['id'])).toEqual(['i102', 'i101', 'i100']);
    for (const row of rows.slice(3)) expect(row).toBe(before.get(row.dataset['id']));
  });

  it('at the top, new rows come into view; scrolled down, the view stays on the row it showed', async () => {
    const element = mount(items(0, 1000));
    await settle(element);
    element.items = [...items(1000, 1002), ...element.items];
    await settle(element);
    expect(element.scrollTop).toBe(0);
    expect(rendered(element)[0]!.dataset['id']).toBe('i1001');

    element.scrollTop = 3200;
    element.dispatchEvent(new Event('scroll'));
    await settle(element);
    const top = element.items[100]!.id;
    element.items = [...items(1002, 1007), ...element.items];
    await settle(element);
    expect(element.scrollTop).toBe(3200 + 5 * 32);
    expect(element.items[Math.floor(element.scrollTop / 32)]!.id).toBe(top);
  });
});
