/**
 * The text messages a real hall's back office would send (the pickup code after a deposit), kept
 * in memory for the demo and tests only (issue 13): the agent records one only when it runs with
 * --dev, and Dev.SentMessages reads them. Nothing is written anywhere; a restart forgets them.
 */
export interface DevMessage {
  reference: string;
  pickupCode: string;
}

const boxes = new WeakMap<object, DevMessage[]>();
const LIMIT = 50;

/** Keyed by the agent's services object, so two agents in one test process keep their own. */
export function recordDevMessage(key: object, message: DevMessage): void {
  const box = boxes.get(key) ?? [];
  box.push(message);
  if (box.length > LIMIT) box.splice(0, box.length - LIMIT);
  boxes.set(key, box);
}

export function devMessages(key: object): readonly DevMessage[] {
  return boxes.get(key) ?? [];
}
