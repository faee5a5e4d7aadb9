/** Runs a query on the events service's database (the harness's `sql`). */
type Sql = <T>(query: string, params?: unknown[]) => Promise<T>;

/**
 * The events schema's rows as the statements left them, read directly: what tests assert on when
 * no service answer shows it (seat counts, attempt statuses, refund states).
 */
export class EventsRows {
  constructor(private readonly sql: Sql) {}

  /** Every attempt on the event: member and status. */
  participantsOf(eventId: string): Promise<{ member_id: string; status: string }[]> {
    return this.sql(`SELECT member_id, status FROM events.participants WHERE event_id = $1`, [
      eventId,
    ]);
  }

  async seatsTakenOf(eventId: string): Promise<number> {
    const [row] = await this.sql<{ seats_taken: number }[]>(
      `SELECT seats_taken FROM events.events WHERE id = $1`,
      [eventId],
    );
    return row.seats_taken;
  }

  /** The refund state of every attempt on the event. */
  async refundStatesOf(eventId: string): Promise<(string | null)[]> {
    const rows = await this.sql<{ refund_state: string | null }[]>(
      `SELECT refund_state FROM events.participants WHERE event_id = $1`,
      [eventId],
    );
    return rows.map((row) => row.refund_state);
  }
}
