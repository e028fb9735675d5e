import { describe, expect, it } from 'vitest';
import cardReader from '../../../assets/images/card-reader.svg?raw';
import { svgBody } from './svg-asset.ts';

describe('svgBody', () => {
  it('keeps the drawing and drops the root element and the title', () => {
    const body = svgBody(cardReader);
    expect(cardReader).toContain('<title>');
    expect(body).not.toMatch(/<svg\b|<\/svg>|<title>/);
    expect(body).toContain('class="card"');
    expect(body).toContain('class="arrow"');
  });
});
