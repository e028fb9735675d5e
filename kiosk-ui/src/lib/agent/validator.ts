import { parseAgentMessage } from '@onevisit/protocol';

/**
 * The part of the protocol that needs the schemas (and zod): the client loads this module with
 * `import()` as soon as it starts, so the first screen's JS does not carry the schemas
 * (issue 9: initial JS under 60 KB gzip). Every incoming message still goes through it: the client
 * holds messages until it has loaded.
 */
export { parseAgentMessage };
