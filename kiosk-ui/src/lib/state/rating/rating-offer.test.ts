import { beforeEach, describe, expect, it } from 'vitest';
import { FakeAgent } from '../../agent/fake-agent.ts';
import { RATING_COMMENT_MAX_LENGTH, RatingOffer } from './rating-offer.svelte.ts';

const RATING_ID = '0b5e3c52-4a8e-4f6f-9a55-1c7d2f0e9b11';
const REF = 'T0001-261204-0007-K';

describe('RatingOffer against a fake agent', () => {
  let agent: FakeAgent;
  let offer: RatingOffer;

  beforeEach(async () => {
    agent = new FakeAgent();
    agent.answer('Rating.Reasons', () => ({ payload: { version: '1', reasons: [{ id: 'complicated', text: { 'zh-CN': '操作复杂', en: 'Too complicated' } }] } }));
    agent.answer('Rating.Submit', () => ({ payload: { ratingReference: 'T0001-261204-0009-7', followUpBy: '2026-12-25' } }));
    await agent.connect();
    offer = new RatingOffer({ send: (name, payload, options) => agent.client.send(name, payload, options).result, newId: () => RATING_ID });
  });

  it('a bad rating sends its reason and the trimmed comment; the subject is shown, never sent', async () => {
    offer.offer('application', REF, { 'zh-CN': '居住证申领', en: 'Residence permit' });
    expect(agent.payloads('Rating.Reasons')).toEqual([]);
    expect(offer.subject?.['zh-CN']).toBe('居住证申领');
    offer.choose(1);
    await expect.poll(() => offer.reasons.length).toBe(1);
    offer.toggleReason('complicated');
    offer.setComment('  排队叫号看不清  ');
    await offer.submit();
    expect(agent.payloads('Rating.Submit')).toEqual([{ service: 'application', level: 1, reference: REF, reasons: ['complicated'], comment: '排队叫号看不清', ratingId: RATING_ID }]);
    expect(offer.phase).toBe('thanks');
    expect(offer.answered).toBe(true);
    expect(offer.comment).toBe('');
  });

  it('a comment is only for the bottom two levels: choosing a good level drops it', async () => {
    offer.offer('booking', undefined);
    offer.choose(2);
    offer.setComment('太慢');
    offer.choose(4);
    expect(offer.comment).toBe('');
    await offer.submit();
    expect(agent.payloads('Rating.Submit')).toEqual([{ service: 'booking', level: 4, ratingId: RATING_ID }]);
  });

  it('the comment is cut at the protocol limit, counted in characters', () => {
    offer.offer('pickup', undefined);
    offer.choose(2);
    offer.setComment('𠮷'.repeat(RATING_COMMENT_MAX_LENGTH + 5));
    expect([...offer.comment]).toHaveLength(RATING_COMMENT_MAX_LENGTH);
  });

  it('skip sends nothing and forgets what was typed; a new offer starts clean', () => {
    offer.offer('pickup', REF);
    offer.choose(1);
    offer.setComment('柜门难开');
    offer.skip();
    expect(offer.phase).toBe('skipped');
    expect(offer.comment).toBe('');
    expect(agent.payloads('Rating.Submit')).toEqual([]);
    offer.offer('query', undefined);
    expect(offer.answered).toBe(false);
    expect(offer.level).toBeUndefined();
    expect(offer.reference).toBeUndefined();
  });
});
