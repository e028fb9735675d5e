/**
 * Read-aloud over the WebSocket API (issue 17): a real agent (dev mode, simulators) and Debian's
 * espeak-ng. What the page asks to hear comes back as WAV; the session holder's name, ID number and
 * address are refused before the engine sees them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { createAgent } from '../../device-agent/src/app.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { findSampleIdentity } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { successPayload, TestClient } from './client.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const hasEspeak = ((): boolean => {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasEspeak)('Speech.Say', () => {
  it('reads prompts in both languages, from the cache the second time, and refuses the card holder\'s data', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'onevisit-speech-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const agent = createAgent(defaultConfig({ port: 0, dev: true, dataDir: path.join(root, 'data') }), { log: silentLogger(), distDir: path.join(root, 'dist') });
    cleanups.push(() => agent.stop());
    const started = await agent.start();
    const kiosk = await TestClient.authenticated(started.url, started.token);
    cleanups.push(() => kiosk.close());

    const zh = successPayload('Speech.Say', await kiosk.send('Speech.Say', { text: '请将身份证放在读卡区', language: 'zh-CN' }));
    expect(zh).toMatchObject({ mediaType: 'audio/wav', cached: false });
    expect(Buffer.from(zh.audioBase64, 'base64').subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(successPayload('Speech.Say', await kiosk.send('Speech.Say', { text: '请将身份证放在读卡区', language: 'zh-CN' })).cached).toBe(true);
    expect(successPayload('Speech.Say', await kiosk.send('Speech.Say', { text: 'Place your ID card on the reader', language: 'en', rate: 'slow' })).mediaType).toBe('audio/wav');

    const person = findSampleIdentity('standard')?.identity;
    if (!person) throw new Error('no sample identity');
    successPayload('Dev.InsertCard', await kiosk.send('Dev.InsertCard', { identity: 'standard' }));
    successPayload('IdCard.Read', await kiosk.send('IdCard.Read', {}));
    for (const text of [`${person.name}，您好`, `证件号码 ${person.idNumber}`, `住址 ${person.address}`]) {
      const refused = await kiosk.send('Speech.Say', { text, language: 'zh-CN' });
      expect(refused.completion.header, text.slice(0, 4)).toMatchObject({ completionCode: 'invalidData', errorCode: 'personalData' });
      expect(JSON.stringify(refused.completion), 'the refusal does not echo the text').not.toContain(person.name);
    }
    expect((await kiosk.send('Speech.Say', { text: 'x'.repeat(401), language: 'zh-CN' })).completion.header.completionCode).toBe('invalidData');
  });
});
