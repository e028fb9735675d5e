/**
 * The drawing inside an SVG file of assets/images (imported with `?raw`): the file without its root
 * element and its title. Components put it into their own inline `<svg>`, which carries the role,
 * the translated label (i18n) and the classes their CSS animates; the file stays a standalone SVG
 * that opens in any viewer.
 */
export function svgBody(source: string): string {
  return source
    .replace(/^[\s\S]*?<svg\b[^>]*>/, '')
    .replace(/<\/svg>\s*$/, '')
    .replace(/<title>[\s\S]*?<\/title>/, '')
    .trim();
}
