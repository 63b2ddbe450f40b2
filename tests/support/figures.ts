import { debuglog } from 'node:util';

/**
 * What a timing test measured (time to open, answers by status, an outage window), for a reader
 * tuning it: printed only with `NODE_DEBUG=ping-figures`, so a passing run stays quiet and the
 * test titles stay stable. An assertion that depends on a figure carries it in its own message.
 */
export const figures = debuglog('ping-figures');
