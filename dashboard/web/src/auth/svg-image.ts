// Turns server-made SVG markup into a data: URL for an <img>, so the markup is never parsed into
// the page: an <img> renders SVG with scripts and external loads disabled.
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}
