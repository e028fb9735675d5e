/**
 * One client process of the whole-agent race (hall.test.ts, issue 14): a page of one agent that
 * books for `count` people, one after the other, as citizens at a terminal do: take the terminal's
 * citizen session (another page of the same agent may hold it: wait for it), place the person's card,
 * read it, Booking.Reserve, lift the card, Session.End. Waits for `go` on stdin so that every
 * process starts at once; prints its outcomes (`won:CODE` or the error code) as one JSON line.
 * Args: url token index count serviceId start[,start…] people
 *   people: `distinct` (person index*100+i+1) or `shared` (person 900+i+1 in every process)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { testPerson } from '../../device-agent/src/services/booking/booking-test-support.ts';
import { TestClient } from './client.ts';

async function main(): Promise<void> {
  const [url, token, indexText, countText, serviceId, startsText, people] = process.argv.slice(2);
  if (url === undefined || token === undefined || indexText === undefined || countText === undefined || serviceId === undefined || startsText === undefined) {
    throw new Error('usage: hall-race-client url token index count serviceId start[,start…] [distinct|shared]');
  }
  const index = Number(indexText);
  const starts = startsText.split(',');
  const client = await TestClient.authenticated(url, token);
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  const outcomes: string[] = [];
  for (let i = 0; i < Number(countText); i++) {
    // Any citizen command takes the session when it is free; Booking.Find without a card only answers identityRequired.
    for (;;) {
      const claim = await client.send('Booking.Find', {});
      if (claim.completion.header.errorCode !== 'sessionElsewhere') break;
      await sleep(5); // the other page of this terminal is serving a citizen: queue behind it
    }
    const person = testPerson(people === 'shared' ? 900 + i + 1 : index * 100 + i + 1);
    await client.send('Dev.InsertCard', { identity: person });
    const read = await client.send('IdCard.Read', {}, { timeout: 10_000 });
    if (read.completion.header.completionCode !== 'success') throw new Error(`IdCard.Read: ${read.completion.header.errorCode ?? ''}`);
    const reserved = await client.send('Booking.Reserve', { serviceId, start: starts[(index + i) % starts.length] ?? startsText });
    const { header, payload } = reserved.completion;
    outcomes.push(header.completionCode === 'success' ? `won:${(payload as { code: string }).code}` : (header.errorCode ?? header.completionCode ?? 'unknown'));
    await client.send('Dev.RemoveCard', {});
    await client.send('Session.End', {});
  }
  await client.close();
  process.stdout.write(`${JSON.stringify({ index, outcomes })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
