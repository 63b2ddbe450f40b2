/** A recorded ping: one row of the durable store. */
export interface Ping {
  readonly id: number;
  readonly createdAt: Date;
  readonly note: string | null;
}

/** Notes are short by design: they are echoed in every cached answer. */
export const NOTE_MAX_LENGTH = 280;
