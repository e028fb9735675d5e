import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { SpeechLanguage, SpeechRate } from '@onevisit/protocol';
import { EspeakEngine, type SpeechEngine, type SynthesisResult } from './engine.ts';
import { findPersonalData } from './personal-data.ts';
import { SpeechService } from './speech-service.ts';

const log = pino({ level: 'silent' });

/** Records every text that reaches "the engine": the test of what may never be read aloud. */
class RecordingEngine implements SpeechEngine {
  readonly name = 'recording';
  readonly heard: string[] = [];
  synthesize(text: string, _language: SpeechLanguage, _rate: SpeechRate): Promise<SynthesisResult> {
    this.heard.push(text);
    return Promise.resolve({ ok: true, wav: Buffer.from(`RIFF${text.length}`) });
  }
}

const holder = { name: '王小明', englishName: 'WANG XIAOMING', address: '北京市朝阳区建国路88号', idNumber: '11010519491231002X' };

describe('read-aloud never speaks personal data', () => {
  it('refuses ID numbers, phone numbers, long digit runs and the holder\'s name and address', () => {
    expect(findPersonalData('您的身份证号码是 11010519491231002X')).toBe('idNumber');
    expect(findPersonalData('号码 110105 1949 1231 002X')).toBe('idNumber');
    expect(findPersonalData('联系电话 138 0013 8000')).toBe('phoneNumber');
    expect(findPersonalData('卡号 62220212345678')).toBe('longNumber');
    expect(findPersonalData('王小明，您好', holder)).toBe('holderName');
    expect(findPersonalData('Hello, Wang Xiaoming', holder)).toBe('holderName');
    expect(findPersonalData('地址：朝阳区建国路', holder)).toBe('holderAddress');
    expect(findPersonalData('尾号 31002X', holder)).toBe('idNumber');
  });

  it('reads a screen\'s title and instructions, and a reference number', () => {
    expect(findPersonalData('请将身份证放在读卡区。身份核验成功，请选择要办理的业务。', holder)).toBeUndefined();
    expect(findPersonalData('Your reference is T0001-260123-0042-K. Please keep the receipt.', holder)).toBeUndefined();
    expect(findPersonalData('预约时间 2026-12-04 09:30，第 3 号窗口')).toBeUndefined();
  });

  it('sends the engine nothing of a refused text, and renders a prompt once', async () => {
    const engine = new RecordingEngine();
    const speech = new SpeechService({ engine, log });
    expect(await speech.say('王小明，请确认您的信息', 'zh-CN', 'normal', holder)).toEqual({ ok: false, error: 'personalData', kind: 'holderName' });
    const first = await speech.say('请确认您的信息', 'zh-CN', 'normal', holder);
    const again = await speech.say('请确认您的信息', 'zh-CN', 'normal', holder);
    const slow = await speech.say('请确认您的信息', 'zh-CN', 'slow', holder);
    expect(first).toMatchObject({ ok: true, cached: false });
    expect(again).toMatchObject({ ok: true, cached: true });
    expect(slow).toMatchObject({ ok: true, cached: false });
    expect(engine.heard).toEqual(['请确认您的信息', '请确认您的信息']);
  });

  it('keeps at most the configured number of prompts, the least recently used leaving first', async () => {
    const engine = new RecordingEngine();
    const speech = new SpeechService({ engine, log, cacheEntries: 2 });
    await speech.say('一', 'zh-CN', 'normal', {});
    await speech.say('二', 'zh-CN', 'normal', {});
    await speech.say('一', 'zh-CN', 'normal', {}); // 一 is now the most recent
    await speech.say('三', 'zh-CN', 'normal', {}); // 二 leaves
    expect((await speech.say('一', 'zh-CN', 'normal', {})) as { cached: boolean }).toMatchObject({ cached: true });
    expect((await speech.say('二', 'zh-CN', 'normal', {})) as { cached: boolean }).toMatchObject({ cached: false });
  });
});

const hasEspeak = ((): boolean => {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasEspeak)('espeak-ng (Debian package; .ci/run installs it)', () => {
  it('renders Mandarin and English to WAV, slower in elder mode', async () => {
    const engine = new EspeakEngine();
    const zh = await engine.synthesize('请将身份证放在读卡区', 'zh-CN', 'normal');
    const zhSlow = await engine.synthesize('请将身份证放在读卡区', 'zh-CN', 'slow');
    const en = await engine.synthesize('Place your ID card on the reader', 'en', 'normal');
    for (const result of [zh, zhSlow, en]) {
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    }
    if (zh.ok && zhSlow.ok) expect(zhSlow.wav.length).toBeGreaterThan(zh.wav.length);
  });

  it('says unavailable, without throwing, when the program is missing', async () => {
    expect(await new EspeakEngine({ command: 'espeak-ng-not-installed' }).synthesize('测试', 'zh-CN', 'normal')).toEqual({ ok: false, problem: 'unavailable' });
  });
});
