import type { Ping } from '../../domain/ping.js';

export interface PingJson {
  id: number;
  createdAt: string;
  note: string | null;
}

export function toPingJson(ping: Ping): PingJson {
  return { id: ping.id, createdAt: ping.createdAt.toISOString(), note: ping.note };
}
