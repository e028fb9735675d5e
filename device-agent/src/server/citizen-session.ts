/**
 * One page owns the citizen session (issue 11): the first connection that sends a citizen command
 * owns it until it ends the session (Session.End) or disconnects. Until then every other
 * connection's citizen commands (card reads, printing, bookings, forms) are refused, so a local
 * process that fetched the page token cannot read the card, or a citizen's answers, beside the
 * kiosk page.
 */
export class CitizenSessionOwner {
  #owner: number | undefined;

  /** How `connectionId` stands towards the citizen session. */
  standing(connectionId: number): 'owner' | 'free' | 'elsewhere' {
    if (this.#owner === undefined) return 'free';
    return this.#owner === connectionId ? 'owner' : 'elsewhere';
  }

  /** Makes `connectionId` the owner when nobody owns the session; true when it owns it now. */
  claim(connectionId: number): boolean {
    this.#owner ??= connectionId;
    return this.#owner === connectionId;
  }

  /** Ends the ownership of `connectionId` (Session.End, disconnect); others' ownership stays. */
  release(connectionId: number): void {
    if (this.#owner === connectionId) this.#owner = undefined;
  }
}
