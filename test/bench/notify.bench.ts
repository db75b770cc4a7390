// The change feed's price (issue 21 item 4): a plan transition on
// PostgreSQL writes its journal events in one transaction; with the feed,
// that transaction also runs pg_notify. The same transactions with and
// without it, interleaved, on a throwaway server: their median times.
import pg from 'pg';
import { startTestPostgres } from '../helpers/postgres.js';

/** Median milliseconds of a 3-event transaction without and with the notice. */
export interface NotifyFigures {
  transactions: number;
  plainMs: number;
  notifyMs: number;
}

/**
 * Run `transactions` of each kind, alternating.
 *
 * @example
 * const { plainMs, notifyMs } = await runNotifyBench({ transactions: 2000 });
 */
export async function runNotifyBench(options: { transactions?: number } = {}): Promise<NotifyFigures> {
  const transactions = options.transactions ?? 2000;
  const server = await startTestPostgres();
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    await client.query('CREATE TABLE bench_events (key text COLLATE "C" PRIMARY KEY, value text)');
    const value = 'x'.repeat(400);
    let seq = 0;
    const transaction = async (notify: boolean) => {
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit = off');
      const first = seq + 1;
      for (let event = 0; event < 3; event++)
        await client.query('INSERT INTO bench_events VALUES ($1, $2)', [`P!${String(++seq).padStart(12, '0')}`, value]);
      // what PostgresLevel adds to a transition that writes events
      if (notify)
        await client.query('SELECT pg_notify($1, notice) FROM unnest($2::text[]) AS notice', [
          'troupe_bench',
          [`P ${first}`],
        ]);
      await client.query('COMMIT');
    };
    const times = { plain: [] as number[], notify: [] as number[] };
    for (let round = 0; round < transactions; round++) {
      for (const notify of [false, true]) {
        const started = performance.now();
        await transaction(notify);
        times[notify ? 'notify' : 'plain'].push(performance.now() - started);
      }
    }
    return { transactions, plainMs: median(times.plain), notifyMs: median(times.notify) };
  } finally {
    await client.end().catch(() => {});
    await server.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
