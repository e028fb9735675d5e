/**
 * What read-aloud says for a screen (issue 17): its title (`#screen-title`, which every screen's
 * heading carries), its instructions, and the focused control. Never what may be personal: values
 * typed into fields, label/value "facts" lists (a card's data, a booking's details) and anything
 * marked `data-personal` are skipped here, and the agent refuses personal data again (Speech.Say).
 */
const SKIP = '[data-personal], .fact-list, input, textarea, select, [contenteditable], [aria-hidden="true"], [hidden]';
const INSTRUCTIONS = '[data-read], .step-note, [role="alert"], [role="status"], p';
/** Speech.Say accepts 400 characters. */
export const MAX_SPOKEN_CHARS = 400;

function clean(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

function visible(element: Element): boolean {
  if (element.closest(SKIP) !== null) return false;
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
}

/** The accessible name of a control, as far as a kiosk's controls need: aria-label, labelledby, text. */
export function controlName(element: Element): string {
  const label = element.getAttribute('aria-label');
  if (label) return clean(label);
  const by = element.getAttribute('aria-labelledby');
  if (by) {
    const text = by
      .split(/\s+/)
      .map((id) => clean(element.ownerDocument.getElementById(id)?.textContent))
      .join(' ');
    if (text.trim() !== '') return clean(text);
  }
  if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) {
    // The field's label, never its value.
    return clean(element.labels?.[0]?.textContent);
  }
  if (element.closest('[data-personal], .fact-list') !== null) return '';
  return clean(element.textContent);
}

/** Joins parts into sentences and cuts at the last sentence that fits. */
export function joinForSpeech(parts: readonly string[], maxChars = MAX_SPOKEN_CHARS): string {
  let out = '';
  for (const part of parts) {
    if (part === '') continue;
    const sentence = /[。！？.!?：:]$/.test(part) ? part : `${part}。`;
    if (out.length + sentence.length + 1 > maxChars) break;
    out = out === '' ? sentence : `${out} ${sentence}`;
  }
  return out;
}

/** The title and up to three instructions of the screen inside `root`. */
export function screenText(root: ParentNode): string {
  const title = root.querySelector('#screen-title');
  const parts = [title !== null && visible(title) ? clean(title.textContent) : ''];
  for (const element of root.querySelectorAll(INSTRUCTIONS)) {
    if (parts.length >= 4) break;
    if (!visible(element) || element.contains(title)) continue;
    const text = clean(element.textContent);
    if (text !== '' && !parts.includes(text)) parts.push(text);
  }
  return joinForSpeech(parts);
}
