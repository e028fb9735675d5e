import type { Attachment } from 'svelte/attachments';

/**
 * Moves focus to the element when it appears: each screen's title, so a screen reader announces
 * the new screen and keyboard users start from its top.
 */
export const focusOnMount: Attachment<HTMLElement> = (node) => {
  node.focus({ preventScroll: true });
};
