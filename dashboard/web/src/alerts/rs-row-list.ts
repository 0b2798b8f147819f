// A virtualised list of fixed-height rows: the element scrolls, a spacer gives it the height of every
// row, and only the rows in view (and a few beyond each edge) are in the DOM, in normal flow inside
// one block moved to where they start. Rows never need measuring and are never positioned one by one,
// so an update costs the rows that changed: the alert feed prepends rows dozens of times a second.
// (It replaced @lit-labs/virtualizer, whose flow layout measured and re-positioned every rendered row
// on each update, each position walking all rendered rows again.)
//
// The rows render into the light DOM, so the page that uses the list styles them. When rows are
// added above while the list is scrolled down, the row at the top of the view stays where it is.
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';

/** The rows to render for a scroll position: [first, end) of the items. Pure, for tests. */
export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan: number): { first: number; end: number } {
  if (count === 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const first = Math.max(0, Math.min(count - 1, Math.floor(scrollTop / rowHeight) - overscan));
  const end = Math.min(count, Math.ceil((scrollTop + Math.max(0, viewportHeight)) / rowHeight) + overscan);
  return { first, end: Math.max(first, end) };
}

@customElement('rs-row-list')
export class RsRowList<T = unknown> extends LitElement {
  @property({ attribute: false }) items: readonly T[] = [];
  @property({ attribute: false }) keyFunction: (item: T) => unknown = (item) => item;
  @property({ attribute: false }) renderItem: (item: T, index: number) => unknown = () => nothing;
  /** The height of every row in CSS pixels; the page's CSS must give rows exactly this height. */
  @property({ type: Number }) rowHeight = 32;
  /** Rows rendered beyond each edge of the view, so that scrolling shows no gap before the next frame. */
  @property({ type: Number }) overscan = 6;

  @state() private _scrollTop = 0;
  private _viewport = 0;
  /** Where the view must scroll to once the rows above it are rendered. */
  private _scrollTo: number | null = null;
  private _resize: ResizeObserver | null = null;
  private readonly _onScroll = (): void => {
    this._scrollTop = this.scrollTop;
  };

  /** Rows are children of the element in its host's tree, where the host's styles reach them. */
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.style.display = 'block';
    this.style.overflowY = 'auto';
    this.style.position = 'relative';
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.addEventListener('scroll', this._onScroll, { passive: true });
    if (typeof ResizeObserver === 'function') {
      this._resize = new ResizeObserver((entries) => {
        const height = entries[entries.length - 1]!.contentRect.height;
        if (height !== this._viewport) {
          this._viewport = height;
          this.requestUpdate();
        }
      });
      this._resize.observe(this);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('scroll', this._onScroll);
    this._resize?.disconnect();
    this._resize = null;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    const before = changed.get('items') as readonly T[] | undefined;
    if (before !== undefined && this._scrollTop > 0) this._keepTopRow(before);
  }

  /** Rows came or went above the view: scroll by as much, so that the row at the top stays put. */
  private _keepTopRow(before: readonly T[]): void {
    const h = this.rowHeight;
    const top = Math.floor(this._scrollTop / h);
    const anchor = before[top];
    if (anchor === undefined) return;
    const key = this.keyFunction(anchor);
    const now = this.items;
    for (let i = 0; i < now.length; i++) {
      if (this.keyFunction(now[i]!) !== key) continue;
      if (i !== top) {
        this._scrollTop = Math.max(0, this._scrollTop + (i - top) * h);
        this._scrollTo = this._scrollTop;
      }
      return;
    }
  }

  protected override updated(): void {
    if (this._scrollTo === null) return;
    // after render: the spacer now has the height the new position needs
    this.scrollTop = this._scrollTo;
    this._scrollTo = null;
  }

  protected override render() {
    if (this._viewport === 0) this._viewport = this.getBoundingClientRect().height;
    const h = this.rowHeight;
    const { first, end } = visibleRange(this._scrollTop, this._viewport, h, this.items.length, this.overscan);
    const rows = this.items.slice(first, end);
    return html`<div style=${styleMap({ height: `${this.items.length * h}px` })}>
      <div style=${styleMap({ transform: `translateY(${first * h}px)` })}>
        ${repeat(
          rows,
          (item) => this.keyFunction(item),
          (item, i) => this.renderItem(item, first + i),
        )}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-row-list': RsRowList;
  }
}
