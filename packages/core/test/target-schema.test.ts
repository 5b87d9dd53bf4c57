import { describe, expect, it } from 'vitest';

import { LIMITS, createTargetInput, defaultTargetName, unsentBodyMessage, updateTargetInput } from '../src/index.js';

const url = 'https://example.com/hook';

/** Returns the single issue of a rejected input as [path, message]. */
function issueOf(input: unknown): [PropertyKey[], string] {
  const result = createTargetInput.safeParse(input);
  expect(result.success).toBe(false);
  expect(result.error!.issues).toHaveLength(1);
  const issue = result.error!.issues[0]!;
  return [issue.path, issue.message];
}

describe('createTargetInput defaults', () => {
  it('fills method, headers, body and timeout', () => {
    expect(createTargetInput.parse({ url })).toEqual({
      url,
      method: 'GET',
      headers: {},
      body_template: null,
      timeout_ms: 10_000,
      signing_secret: null,
    });
  });

  it('keeps every field that is given', () => {
    const input = {
      name: 'Nightly export',
      url: 'http://127.0.0.1:8080/export?full=1',
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer abc' },
      body_template: '{"full":true}',
      timeout_ms: 30_000,
      signing_secret: 'a-signing-secret-of-32-characters',
    };

    expect(createTargetInput.parse(input)).toEqual(input);
  });

  it('trims the URL and the name', () => {
    const parsed = createTargetInput.parse({ url: `  ${url}  `, name: '  Hook  ' });

    expect(parsed.url).toBe(url);
    expect(parsed.name).toBe('Hook');
  });
});

describe('createTargetInput method', () => {
  it.each([
    ['get', 'GET'],
    ['post', 'POST'],
    ['Put', 'PUT'],
    ['patch', 'PATCH'],
    ['DELETE', 'DELETE'],
    ['head', 'HEAD'],
    ['options', 'OPTIONS'],
  ])('%s is accepted as %s', (method, expected) => {
    expect(createTargetInput.parse({ url, method }).method).toBe(expected);
  });

  it.each([['FETCH'], ['TRACE'], ['CONNECT'], ['']])('%j is rejected', (method) => {
    expect(issueOf({ url, method })).toEqual([['method'], 'Method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS']);
  });
});

describe('createTargetInput url', () => {
  it.each([
    ['http://example.com'],
    ['https://example.com:8443/a/b?c=d#e'],
    ['http://[::1]:8000/'],
    ['HTTPS://EXAMPLE.COM/'],
  ])('%s is accepted', (accepted) => {
    expect(createTargetInput.safeParse({ url: accepted }).success).toBe(true);
  });

  it.each([
    ['ftp://example.com/file', 'Unsupported URL scheme "ftp": only http and https are allowed'],
    ['file:///etc/passwd', 'Unsupported URL scheme "file": only http and https are allowed'],
    ['javascript:alert(1)', 'Unsupported URL scheme "javascript": only http and https are allowed'],
    ['ws://example.com/socket', 'Unsupported URL scheme "ws": only http and https are allowed'],
    ['https://user:secret@example.com/', 'Credentials in the URL are not allowed: send them in a header, such as Authorization'],
    ['https://user@example.com/', 'Credentials in the URL are not allowed: send them in a header, such as Authorization'],
    ['https://:secret@example.com/', 'Credentials in the URL are not allowed: send them in a header, such as Authorization'],
    ['example.com/hook', 'Invalid URL "example.com/hook": expected an absolute http:// or https:// URL'],
    ['/relative/path', 'Invalid URL "/relative/path": expected an absolute http:// or https:// URL'],
  ])('%j is rejected', (rejected, message) => {
    const [path, actualMessage] = issueOf({ url: rejected });

    expect(path).toEqual(['url']);
    expect(actualMessage).toBe(message);
  });

  it.each([[''], ['   ']])('%j is rejected as missing', (empty) => {
    expect(issueOf({ url: empty })).toEqual([['url'], 'URL is required']);
  });

  it.each([['http://127.0.0.1:0/'], ['https://example.com:0/hook'], ['http://example.com:00/']])('port 0 in %s is rejected', (withPortZero) => {
    expect(issueOf({ url: withPortZero })).toEqual([['url'], 'Invalid URL port 0: use a port from 1 to 65535, or none for the default port']);
  });

  it.each([['http://127.0.0.1:1/'], ['http://127.0.0.1:65535/'], ['http://127.0.0.1:80/']])('port in %s is accepted', (withPort) => {
    expect(createTargetInput.safeParse({ url: withPort }).success).toBe(true);
  });

  it('rejects a URL longer than the limit', () => {
    const long = `https://example.com/${'a'.repeat(LIMITS.urlLength)}`;

    expect(issueOf({ url: long })).toEqual([['url'], 'URL is longer than 2048 characters']);
  });

  it('rejects a missing URL', () => {
    const [path] = issueOf({});

    expect(path).toEqual(['url']);
  });
});

describe('createTargetInput headers', () => {
  it.each([
    ['X-Api-Key'],
    ['content-type'],
    ["!#$%&'*+-.^_`|~"],
    ['x'.repeat(256)],
  ])('name %j is accepted', (name) => {
    expect(createTargetInput.parse({ url, headers: { [name]: 'v' } }).headers).toEqual({ [name]: 'v' });
  });

  it.each([
    ['Bad Name'],
    ['X-Header:'],
    ['X-Ünicode'],
    ['(comment)'],
    [''],
  ])('name %j is rejected', (name) => {
    expect(issueOf({ url, headers: { [name]: 'v' } })).toEqual([
      ['headers', name],
      "Header names may contain only letters, digits and !#$%&'*+-.^_`|~",
    ]);
  });

  it('rejects a name longer than 256 characters', () => {
    const name = 'x'.repeat(257);

    expect(issueOf({ url, headers: { [name]: 'v' } })).toEqual([['headers', name], 'Header names are limited to 256 characters']);
  });

  it.each([[''], ['Bearer abc.def'], ['tab\tinside'], ['ünïcödé'], ['v'.repeat(8_192)]])('value %j is accepted', (value) => {
    expect(createTargetInput.parse({ url, headers: { 'X-A': value } }).headers).toEqual({ 'X-A': value });
  });

  it.each([
    ['a\r\nX-Injected: 1', 'Header values may not contain line breaks or NUL'],
    ['a\nb', 'Header values may not contain line breaks or NUL'],
    ['a\rb', 'Header values may not contain line breaks or NUL'],
    ['a\0b', 'Header values may not contain line breaks or NUL'],
    ['v'.repeat(8_193), 'Header values are limited to 8192 characters'],
  ])('value %j is rejected', (value, message) => {
    expect(issueOf({ url, headers: { 'X-A': value } })).toEqual([['headers', 'X-A'], message]);
  });

  it.each([['__proto__'], ['constructor'], ['prototype']])('reserved name %j is rejected', (name) => {
    // JSON.parse, as the REST API reads bodies, makes "__proto__" an own key.
    const input = JSON.parse(`{"url": "${url}", "headers": {"${name}": "v", "X-Ok": "v"}}`) as unknown;

    expect(issueOf(input)).toEqual([
      ['headers', name],
      `Header name "${name}" is not supported: __proto__, constructor and prototype are reserved names`,
    ]);
  });

  it.each([['Constructor'], ['X-Prototype'], ['proto']])('name %j that only resembles a reserved one is accepted', (name) => {
    expect(createTargetInput.parse({ url, headers: { [name]: 'v' } }).headers).toEqual({ [name]: 'v' });
  });

  it.each([
    ['😀', '"😀" (U+1F600)'],
    ['price: 5€', '"€" (U+20AC)'],
    ['Ā', '"Ā" (U+0100)'],
    ['bell\u0007', 'the control character U+0007'],
    ['delete\u007f', 'the control character U+007F'],
    ['escape\u001b[0m', 'the control character U+001B'],
  ])('value %j that cannot be sent is rejected', (value, character) => {
    expect(issueOf({ url, headers: { 'X-A': value } })).toEqual([
      ['headers', 'X-A'],
      `Header "X-A" cannot be sent: its value contains ${character}, and header values may contain only tab and the Latin-1 characters U+0020 to U+00FF except U+007F`,
    ]);
  });

  it.each([['é'], ['\u00a0non-breaking'], ['ÿ'], ['\u0080']])('Latin-1 value %j is accepted', (value) => {
    expect(createTargetInput.parse({ url, headers: { 'X-A': value } }).headers).toEqual({ 'X-A': value });
  });

  it('reports each header that cannot be sent', () => {
    const result = createTargetInput.safeParse({ url, headers: { 'X-A': 'a\nb', 'X-B': '😀' } });

    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path)).toEqual([
      ['headers', 'X-A'],
      ['headers', 'X-B'],
    ]);
  });

  it('rejects a non-string value', () => {
    const [path] = issueOf({ url, headers: { 'X-A': 5 } });

    expect(path).toEqual(['headers', 'X-A']);
  });

  it('accepts 64 headers and rejects 65', () => {
    const headersOf = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, k) => [`X-H${k}`, 'v']));

    expect(createTargetInput.safeParse({ url, headers: headersOf(64) }).success).toBe(true);
    expect(issueOf({ url, headers: headersOf(65) })).toEqual([['headers'], 'At most 64 headers are allowed']);
  });
});

describe('createTargetInput timeout and body', () => {
  it.each([[100], [10_000], [300_000]])('timeout_ms %i is accepted', (timeout) => {
    expect(createTargetInput.parse({ url, timeout_ms: timeout }).timeout_ms).toBe(timeout);
  });

  it.each([
    [99, 'timeout_ms must be at least 100'],
    [0, 'timeout_ms must be at least 100'],
    [-1, 'timeout_ms must be at least 100'],
    [300_001, 'timeout_ms must be at most 300000'],
    [1000.5, 'timeout_ms must be a whole number of milliseconds'],
  ])('timeout_ms %d is rejected', (timeout, message) => {
    expect(issueOf({ url, timeout_ms: timeout })).toEqual([['timeout_ms'], message]);
  });

  it.each([[1e20], [1e308]])('timeout_ms %d has one issue', (timeout) => {
    expect(issueOf({ url, timeout_ms: timeout })).toEqual([['timeout_ms'], 'timeout_ms must be at most 300000']);
  });

  it('rejects a timeout given as a string', () => {
    const [path] = issueOf({ url, timeout_ms: '1000' });

    expect(path).toEqual(['timeout_ms']);
  });

  it('limits the body to 256 KiB', () => {
    const limit = 256 * 1024;

    expect(createTargetInput.safeParse({ url, body_template: 'a'.repeat(limit) }).success).toBe(true);
    expect(issueOf({ url, body_template: 'a'.repeat(limit + 1) })).toEqual([['body_template'], 'Body is larger than 262144 bytes']);
  });

  it('rejects NUL in the body', () => {
    expect(issueOf({ url, method: 'POST', body_template: 'before\u0000after' })).toEqual([['body_template'], 'Body may not contain the NUL character (U+0000)']);
  });

  it('counts body bytes, not characters', () => {
    // "é" is two bytes in UTF-8.
    const [path] = issueOf({ url, body_template: 'é'.repeat(128 * 1024 + 1) });

    expect(path).toEqual(['body_template']);
  });
});

describe('createTargetInput rejects', () => {
  it.each([['id'], ['created_at'], ['timeout'], ['Method']])('unknown key %j', (key) => {
    const result = createTargetInput.safeParse({ url, [key]: 'x' });

    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.code).toBe('unrecognized_keys');
    expect(result.error!.issues[0]!.message).toBe(`Unrecognized key: "${key}"`);
  });

  it('an empty name', () => {
    expect(issueOf({ url, name: '   ' })).toEqual([['name'], 'Name may not be empty']);
  });

  it('a name with NUL', () => {
    expect(issueOf({ url, name: 'a\u0000b' })).toEqual([['name'], 'Name may not contain the NUL character (U+0000)']);
  });

  it('a name longer than 200 characters', () => {
    expect(issueOf({ url, name: 'n'.repeat(201) })).toEqual([['name'], 'Name is longer than 200 characters']);
  });
});

describe('updateTargetInput', () => {
  it('accepts an empty patch without adding defaults', () => {
    expect(updateTargetInput.parse({})).toEqual({});
  });

  it('validates the fields it is given', () => {
    expect(updateTargetInput.parse({ method: 'delete', timeout_ms: 500 })).toEqual({ method: 'DELETE', timeout_ms: 500 });
    expect(updateTargetInput.safeParse({ url: 'ftp://example.com' }).success).toBe(false);
    expect(updateTargetInput.safeParse({ extra: 1 }).success).toBe(false);
  });
});

describe('unsentBodyMessage', () => {
  it.each([['GET'], ['HEAD'], ['OPTIONS']] as const)('rejects a body for %s', (method) => {
    expect(unsentBodyMessage(method, '{}')).toBe(
      `A ${method} target cannot have a body_template, because ${method} requests are sent without a body: set body_template to null, or use POST, PUT, PATCH or DELETE`,
    );
  });

  it.each([['POST'], ['PUT'], ['PATCH'], ['DELETE']] as const)('accepts a body for %s', (method) => {
    expect(unsentBodyMessage(method, '{}')).toBeNull();
  });

  it('accepts no body for GET', () => {
    expect(unsentBodyMessage('GET', null)).toBeNull();
  });
});

describe('defaultTargetName', () => {
  it.each([
    ['https://example.com/', 'example.com'],
    ['https://example.com', 'example.com'],
    ['https://example.com:8443/a/b?q=1#x', 'example.com:8443/a/b'],
    [`https://example.com/${'p'.repeat(300)}`, `example.com/${'p'.repeat(300)}`.slice(0, 200)],
  ])('%s is %s', (targetUrl, expected) => {
    expect(defaultTargetName(targetUrl)).toBe(expected);
  });
});

describe('createTargetInput signing_secret', () => {
  it.each([
    ['short', 'signing_secret must be at least 16 characters long; generate one with: openssl rand -hex 32'],
    ['x'.repeat(513), 'signing_secret is longer than 512 characters'],
    ['with a space in the middle', 'signing_secret may contain only printable ASCII characters without spaces'],
  ])('rejects %s', (secret, message) => {
    expect(issueOf({ url, signing_secret: secret })).toEqual([['signing_secret'], message]);
  });

  it('accepts null in an update, to stop signing', () => {
    expect(updateTargetInput.parse({ signing_secret: null })).toEqual({ signing_secret: null });
  });
});
