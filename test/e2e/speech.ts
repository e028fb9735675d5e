import type { Page } from '@playwright/test';

/**
 * What the page asks the agent to read aloud, taken from its WebSocket frames (every Speech.Say), and which
 * of those requests the agent answered with audio.
 */
export type Said = { text: string; language: string; rate: string | undefined; requestId: number };

export function recordSpeech(page: Page): { said: Said[]; answered: Set<number> } {
  const said: Said[] = [];
  const answered = new Set<number>();
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => {
      if (typeof frame.payload !== 'string') return;
      const message = JSON.parse(frame.payload) as { header?: { name?: string; requestId?: number }; payload?: { text?: string; language?: string; rate?: string } };
      if (message.header?.name !== 'Speech.Say') return;
      said.push({ text: message.payload?.text ?? '', language: message.payload?.language ?? '', rate: message.payload?.rate, requestId: message.header.requestId ?? -1 });
    });
    socket.on('framereceived', (frame) => {
      if (typeof frame.payload !== 'string') return;
      const message = JSON.parse(frame.payload) as { header?: { type?: string; name?: string; requestId?: number; completionCode?: string }; payload?: { audioBase64?: string } };
      if (message.header?.type === 'completion' && message.header.name === 'Speech.Say' && message.header.completionCode === 'success' && (message.payload?.audioBase64?.length ?? 0) > 100) {
        answered.add(message.header.requestId ?? -1);
      }
    });
  });
  return { said, answered };
}
