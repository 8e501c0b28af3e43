import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLogger, silentLogger } from './logger.js';

describe('logger', () => {
  it('MemoryLogger keeps level, message and fields in order', () => {
    const log = new MemoryLogger();
    log.info('hello', { a: 1 });
    log.error('boom');
    assert.deepEqual(log.entries, [
      { level: 'info', msg: 'hello', fields: { a: 1 } },
      { level: 'error', msg: 'boom', fields: {} },
    ]);
  });

  it('silentLogger accepts everything', () => {
    silentLogger.debug('x', { y: 2 });
    silentLogger.warn('x');
  });
});
