import type { Knex } from 'knex';
import type { PoolStats, PoolStatsSource } from './service-metrics.js';

interface TarnPool {
  readonly max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

function isTarnPool(pool: unknown): pool is TarnPool {
  return typeof (pool as Partial<TarnPool> | undefined)?.numUsed === 'function';
}

/**
 * Reads knex's tarn pool when Prometheus scrapes: nothing is counted per query. Null before the
 * pool exists and after it is destroyed, and for pools that are not tarn's.
 */
export function knexPoolStats(knex: Knex): PoolStatsSource {
  return {
    poolStats(): PoolStats | null {
      const pool: unknown = (knex.client as { pool?: unknown }).pool;
      if (!isTarnPool(pool)) return null;
      return { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires(), max: pool.max };
    },
  };
}
