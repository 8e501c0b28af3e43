import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, errors } from '../api/errors.js';
import { errorFromWatchEvent, isResourceExpired } from './listwatch.js';

describe('isResourceExpired', () => {
  it('is true for 410 Expired and Gone only', () => {
    assert.equal(isResourceExpired(errors.expired('old')), true);
    assert.equal(isResourceExpired(new ApiError('Gone', 'gone')), true);
    assert.equal(isResourceExpired(new ApiError('InternalError', 'x', undefined, 410)), true);
    assert.equal(isResourceExpired(new ApiError('ServiceUnavailable', 'x')), false);
    assert.equal(isResourceExpired(new Error('410')), false);
  });
});

describe('errorFromWatchEvent', () => {
  it('keeps a known reason and the code of a Status', () => {
    const e = errorFromWatchEvent(errors.expired('too old resource version').toStatus());
    assert.equal(e.reason, 'Expired');
    assert.equal(e.code, 410);
    assert.equal(e.message, 'too old resource version');
    assert.equal(isResourceExpired(e), true);
  });

  it('derives the reason from the code when the reason is missing or unknown', () => {
    assert.equal(isResourceExpired(errorFromWatchEvent({ code: 410, reason: 'Whatever' })), true);
    assert.equal(errorFromWatchEvent({ code: 500 }).reason, 'InternalError');
    assert.equal(errorFromWatchEvent('garbage').reason, 'InternalError');
  });
});
