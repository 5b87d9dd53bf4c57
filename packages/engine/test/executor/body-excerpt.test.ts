import { describe, expect, it } from 'vitest';

import { BodyExcerptCollector } from '../../src/executor/body-excerpt.js';

describe('BodyExcerptCollector', () => {
  it('keeps a short body whole', () => {
    const collector = new BodyExcerptCollector(16, 100);
    collector.push(Buffer.from('hello'));

    expect(collector.result()).toEqual({ size: 5, text: 'hello', truncated: false });
  });

  it('counts every byte but keeps the excerpt', () => {
    const collector = new BodyExcerptCollector(4, 100);
    collector.push(Buffer.from('abc'));
    collector.push(Buffer.from('defgh'));

    expect(collector.result()).toEqual({ size: 8, text: 'abcd', truncated: true });
  });

  it('ends a cut excerpt on a whole character', () => {
    // "é" is two bytes in UTF-8, so 5 bytes cut the third one in half.
    const collector = new BodyExcerptCollector(5, 100);
    collector.push(Buffer.from('ééé'));
    const { text } = collector.result();

    expect(text).toBe('éé');
    expect(text).not.toContain('\uFFFD');
  });

  it('decodes a complete body that ends in a bad byte', () => {
    const collector = new BodyExcerptCollector(16, 100);
    collector.push(Buffer.from([0x61, 0xc3]));

    expect(collector.result().text).toBe('a\uFFFD');
  });

  it('replaces NUL with U+FFFD and still counts every byte', () => {
    // UTF-16 text and binary bodies contain NUL bytes, and libSQL would cut the stored excerpt at the first one.
    const collector = new BodyExcerptCollector(16, 100);
    collector.push(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28, 0x00, 0x42]));

    expect(collector.result()).toEqual({ size: 8, text: '\uFFFD\uFFFD\uFFFDA\uFFFD(\uFFFDB', truncated: false });
  });

  it('stops at the body cap', () => {
    const collector = new BodyExcerptCollector(2, 6);

    expect(collector.push(Buffer.from('abcd'))).toBe(true);
    expect(collector.push(Buffer.from('efgh'))).toBe(false);
    expect(collector.result()).toEqual({ size: 6, text: 'ab', truncated: true });
  });

  it('marks a body exactly at the cap as complete', () => {
    const collector = new BodyExcerptCollector(16, 4);

    expect(collector.push(Buffer.from('abcd'))).toBe(true);
    expect(collector.result()).toEqual({ size: 4, text: 'abcd', truncated: false });
  });
});
