import { describe, expect, it } from 'vitest';
import { encodeCommand, parseReply, RespErrorReply } from '../src/resp.js';

describe('RESP', () => {
  it('encodes a command as an array of bulk strings, counting bytes not characters', () => {
    expect(encodeCommand(['SET', 'k', 'é']).toString()).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
  });

  it('parses every reply type, nested arrays included', () => {
    const buf = Buffer.from('*5\r\n+OK\r\n:-3\r\n$5\r\nhello\r\n$-1\r\n*2\r\n-ERR nope\r\n*0\r\n');
    const parsed = parseReply(buf);
    expect(parsed?.next).toBe(buf.length);
    expect(parsed?.value).toEqual(['OK', -3, 'hello', null, [new RespErrorReply('ERR nope'), []]]);
  });

  it('waits for more bytes instead of misreading a reply cut anywhere', () => {
    const full = Buffer.from('*2\r\n$5\r\nhello\r\n:7\r\n');
    for (let cut = 0; cut < full.length; cut++) expect(parseReply(full.subarray(0, cut))).toBeUndefined();
    expect(parseReply(full)?.value).toEqual(['hello', 7]);
  });

  it('reads bulk strings containing CRLF by their length', () => {
    expect(parseReply(Buffer.from('$4\r\na\r\nb\r\n'))?.value).toBe('a\r\nb');
  });
});
