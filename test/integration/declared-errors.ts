import { afterEach, expect } from 'vitest';
import { takeRefusedByClient } from './client.ts';

/**
 * Imported by every integration test file: after each test, every message the agent sent passed the
 * UI's validation, so every failed completion carried an error code its command declares, with that
 * code's payload (issue 9, closed error codes per command).
 */
afterEach(() => {
  expect(takeRefusedByClient(), 'messages from the agent that the client refuses').toEqual([]);
});
