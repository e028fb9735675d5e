import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { FormPackageSchema, unsafePatternReason } from '@onevisit/protocol';

const definition = (): Record<string, unknown> & { pdf: Record<string, unknown>; fields: Record<string, unknown>[] } =>
  JSON.parse(readFileSync(new URL('../../forms/packages/social-security-card-replacement/definition.json', import.meta.url), 'utf8')) as never;

/** Issue 11, ops tools: patterns cannot freeze the agent; a template path cannot leave the package folder. */

describe('field patterns', () => {
  it('refuses patterns that backtrack catastrophically', () => {
    for (const pattern of ['(a+)+b', '(a*)*', '(a|aa)+b', '(\\d{2})+x', '(x+x+)+y', '(a)\\1', '(?<n>a)\\k<n>', 'a+b+c+d+e', '\\d+\\d+\\d+x', '\\d{1,99}\\d{1,99}\\d{1,99}x', 'a{0,32}a{0,32}a{0,32}a{0,32}a{0,32}a{0,32}b', '(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?(ab)?c']) {
      expect(unsafePatternReason(pattern), pattern).toBeDefined();
    }
  });

  it('keeps the patterns real forms use', () => {
    for (const pattern of ['\\d{6}', '1[3-9]\\d{9}', '[A-Z]{2}\\d{7}', '(\\d{3}-)?\\d{8}', '[\\u4e00-\\u9fa5]{2,20}', 'a|b', '[^@]+@[^@]+', '\\d{12,19}', '[A-Za-z0-9-]{6,30}']) {
      expect(unsafePatternReason(pattern), pattern).toBeUndefined();
    }
  });
});

describe('form packages', () => {
  it('refuses a package with a catastrophic pattern', () => {
    const pkg = definition();
    expect(FormPackageSchema.safeParse(pkg).success).toBe(true);
    const text = JSON.stringify(pkg).replace('"pattern":"[A-Z0-9]{6,20}"', '"pattern":"(a+)+b"');
    expect(text).toContain('(a+)+b');
    expect(FormPackageSchema.safeParse(JSON.parse(text)).success).toBe(false);
  });

  it('refuses a template path that leaves the package folder', () => {
    for (const template of ['../other/template.pdf', '/etc/passwd', '..', 'sub/template.pdf']) {
      const pkg = definition();
      pkg.pdf.template = template;
      expect(FormPackageSchema.safeParse(pkg).success, template).toBe(false);
    }
    const pkg = definition();
    pkg.pdf.template = 'form-2026.pdf';
    expect(FormPackageSchema.safeParse(pkg).success).toBe(true);
  });
});
