import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  hostPolicy,
  isAllowedClient,
  isAllowedHost,
  isAllowedMethod,
  isLoopbackAddress,
  normalizeAddress,
  scanHeaders,
} from '../../../src/core/auth-server/request-guard.js';

const PORT = 7411;
const policy = hostPolicy('127.0.0.1', PORT);

function headers(...pairs: [string, string][]): string[] {
  return pairs.flat();
}

describe('request guard', () => {
  it('lets every loopback client through and others only when listed', () => {
    const none = new Set<string>();
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.ok(isAllowedClient(address, none), address);
    for (const address of ['10.0.0.2', '::ffff:10.0.0.2', 'fd00::2', '']) assert.ok(!isAllowedClient(address, none), address);
    const listed = new Set(['10.0.0.2', 'fd00::2'].map(normalizeAddress));
    assert.ok(isAllowedClient('10.0.0.2', listed));
    assert.ok(isAllowedClient('::ffff:10.0.0.2', listed), 'a v4 client on a dual-stack socket');
    assert.ok(isAllowedClient('fd00::2', listed));
    assert.ok(!isAllowedClient('10.0.0.3', listed));
  });

  it('normalizes addresses the way Node reports them', () => {
    assert.equal(normalizeAddress('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(normalizeAddress('FD00:0:0:0:0:0:0:2'), 'fd00::2');
    assert.equal(normalizeAddress('192.0.2.7'), '192.0.2.7');
    assert.ok(isLoopbackAddress('127.0.0.1') && !isLoopbackAddress('128.0.0.1'));
  });

  it('allows GET and HEAD only', () => {
    assert.ok(isAllowedMethod('GET') && isAllowedMethod('HEAD'));
    for (const method of ['POST', 'PUT', 'OPTIONS', 'get', 'CONNECT', undefined]) assert.ok(!isAllowedMethod(method), String(method));
  });

  it('accepts our own names for Host, in any case, and nothing else', () => {
    for (const host of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `LocalHost:${PORT}`, `[::1]:${PORT}`]) assert.ok(isAllowedHost(host, policy), host);
    for (const host of ['evil.example', `evil.example:${PORT}`, `127.0.0.1:${PORT + 1}`, '127.0.0.1', `127.0.0.2:${PORT}`, `[::2]:${PORT}`, ''])
      assert.ok(!isAllowedHost(host, policy), host);
  });

  it('adds the bound address, and any IP literal for a wildcard bind', () => {
    const lan = hostPolicy('192.0.2.2', PORT);
    assert.ok(isAllowedHost(`192.0.2.2:${PORT}`, lan));
    assert.ok(!isAllowedHost(`192.0.2.3:${PORT}`, lan));
    const wildcard = hostPolicy('0.0.0.0', PORT);
    assert.ok(isAllowedHost(`192.0.2.3:${PORT}`, wildcard));
    assert.ok(isAllowedHost(`[fd00::2]:${PORT}`, wildcard));
    assert.ok(!isAllowedHost(`host.docker.internal:${PORT}`, wildcard), 'names can be rebound; literals cannot');
    assert.ok(!isAllowedHost('192.0.2.3:1', wildcard));
    const v6 = hostPolicy('::1', PORT);
    assert.ok(isAllowedHost(`[::1]:${PORT}`, v6));
    const eighty = hostPolicy('127.0.0.1', 80);
    assert.ok(isAllowedHost('localhost', eighty), 'the default port may be left out');
  });

  it("passes EmailEngine's exact headers and hands back the Authorization value", () => {
    const scan = scanHeaders(
      headers(
        ['host', `127.0.0.1:${PORT}`],
        ['connection', 'keep-alive'],
        ['User-Agent', 'emailengine-app/2.79.2 (+https://emailengine.app/)'],
        ['accept', '*/*'],
        ['accept-language', '*'],
        ['sec-fetch-mode', 'cors'],
        ['accept-encoding', 'gzip, deflate'],
        ['Authorization', 'Basic abc='],
      ),
      policy,
    );
    assert.deepEqual(scan, { refusal: null, authorization: 'Basic abc=' });
  });

  it('refuses browsers, foreign hosts, repeats and bodies', () => {
    const host: [string, string] = ['Host', `127.0.0.1:${PORT}`];
    const cases: [string[], string][] = [
      [headers(['Host', 'evil.example']), 'host_not_allowed'],
      [headers(['Accept', '*/*']), 'host_missing'],
      [headers(host, ['HOST', 'evil.example']), 'header_repeated'],
      [headers(host, ['authorization', 'a'], ['Authorization', 'b']), 'header_repeated'],
      [headers(host, ['Origin', 'https://evil.example']), 'browser_request'],
      [headers(host, ['origin', 'null']), 'browser_request'],
      [headers(host, ['Sec-Fetch-Site', 'cross-site']), 'browser_request'],
      [headers(host, ['sec-fetch-site', 'same-origin']), 'browser_request'],
      [headers(host, ['Content-Length', '3']), 'body_not_allowed'],
      [headers(host, ['Transfer-Encoding', 'chunked']), 'body_not_allowed'],
    ];
    for (const [raw, refusal] of cases) assert.equal(scanHeaders(raw, policy).refusal, refusal, JSON.stringify(raw));
    assert.equal(scanHeaders(headers(host, ['Sec-Fetch-Site', 'none'], ['Content-Length', '0']), policy).refusal, null);
  });
});
