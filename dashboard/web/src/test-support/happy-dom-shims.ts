// What happy-dom lacks that component tests need: layout. Imported by component tests only.

/**
 * happy-dom does no layout (every box is 0×0), so a virtualised list sees no viewport. Tests that
 * exercise the row list give boxes sizes: rows (`.row`) `rowHeight` tall, everything else a
 * `viewport`-sized box at the origin. Returns the way to undo it.
 */
export function fakeLayout(viewport = { width: 1200, height: 640 }, rowHeight = 32): () => void {
  const original = Element.prototype.getBoundingClientRect;
  Element.prototype.getBoundingClientRect = function fakeRect(this: Element): DOMRect {
    const height = this.classList.contains('row') ? rowHeight : viewport.height;
    return { x: 0, y: 0, top: 0, left: 0, width: viewport.width, height, right: viewport.width, bottom: height, toJSON: () => ({}) } as DOMRect;
  };
  return () => {
    Element.prototype.getBoundingClientRect = original;
  };
}
