// FEDERATION_PEERS (docs/configuration.md): `NAME URL` items, `;` or newlines between them; a bad
// value stops the process with the variable named.
import { ConfigError } from '../../../src/config/config.schema';
import { parsePeers } from '../../../src/federation/federation-settings';

describe('FEDERATION_PEERS', () => {
  it('reads names and URLs, trailing slashes dropped, blank items ignored', () => {
    expect(parsePeers('')).toEqual([]);
    expect(parsePeers(' a.example https://a.example/ ;\n b.example  http://127.0.0.1:3001\n;')).toEqual([
      { name: 'a.example', url: 'https://a.example' },
      { name: 'b.example', url: 'http://127.0.0.1:3001' },
    ]);
  });

  it.each([
    ['a.example', 'is not "NAME URL"'],
    ['a.example https://a.example extra', 'is not "NAME URL"'],
    ['a+b https://a.example', 'is not an instance name'],
    ['a.example not-a-url', 'is not a URL'],
    ['a.example ftp://a.example', 'is not an http(s) URL'],
  ])('refuses %j', (value, message) => {
    expect(() => parsePeers(value)).toThrow(ConfigError);
    expect(() => parsePeers(value)).toThrow(message);
  });
});
