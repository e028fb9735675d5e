/**
 * The kiosk page never leaves itself (issue 11): no window.open, no link or form to another origin,
 * no file dropped onto the page (a dropped file would otherwise be opened as file://). The managed
 * Chromium policy (scripts/kiosk.mjs) blocks other URLs as well; this guard keeps the page from
 * even trying, also in a browser without the policy.
 */
type GuardedWindow = Pick<Window, 'addEventListener'> & { open: Window['open']; location: Pick<Location, 'origin'> };

export function installNavigationGuard(win: GuardedWindow): void {
  win.open = () => null;
  const refuse = (event: Event): void => event.preventDefault();
  // Dragging a file over the page and dropping it would navigate to it.
  win.addEventListener('dragover', refuse, { capture: true });
  win.addEventListener('drop', refuse, { capture: true });
  // A link or form that would leave the agent's origin (or open a new window) is not followed.
  win.addEventListener(
    'click',
    (event) => {
      const target = event.target as { closest?: (selector: string) => { href?: string; target?: string } | null } | null;
      const link = target?.closest?.('a[href]');
      if (link && (leavesOrigin(link.href, win.location.origin) || (link.target !== undefined && link.target !== '' && link.target !== '_self'))) event.preventDefault();
    },
    { capture: true },
  );
  win.addEventListener(
    'submit',
    (event) => {
      const form = event.target as { action?: string } | null;
      if (form?.action !== undefined && leavesOrigin(form.action, win.location.origin)) event.preventDefault();
    },
    { capture: true },
  );
}

function leavesOrigin(href: string | undefined, origin: string): boolean {
  if (href === undefined || href === '') return false;
  try {
    return new URL(href, origin).origin !== origin;
  } catch {
    return true;
  }
}
