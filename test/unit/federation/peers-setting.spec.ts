// FEDERATION_PEERS and PEER_WITNESS_POLICY (docs/configuration.md): `NAME URL` items, `;` or
// newlines between them; a policy in WITNESS_POLICY's format; a bad value stops the process with
// the variable named.
import { ConfigError, parseConfig } from '../../../src/config/config.schema';
import { FederationSettings, parsePeers } from '../../../src/federation/federation-settings';
import { AppConfigService } from '../../../src/config/app-config';

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

describe('PEER_WITNESS_POLICY', () => {
  const settings = (PEER_WITNESS_POLICY?: string) => new FederationSettings(new AppConfigService(parseConfig({ INSTANCE_NAME: 'a.example', ...(PEER_WITNESS_POLICY ? { PEER_WITNESS_POLICY } : {}) })));
  const key = 'ab'.repeat(32);

  it('is parsed like WITNESS_POLICY, ";" separating lines; unset, none', () => {
    expect(settings().peerPolicy).toBeNull();
    const policy = settings(`witness P0 ${key} https://w.example/;witness P1 ${'cd'.repeat(32)};group two 2 P0 P1;quorum two`).peerPolicy;
    expect(policy?.witnesses.map((w) => w.name)).toEqual(['P0', 'P1']);
    expect(policy?.quorum).toBe('two');
  });

  it('refuses a bad policy, naming the variable', () => {
    expect(() => settings(`witness P0 ${key};quorum nobody`)).toThrow(ConfigError);
    expect(() => settings(`witness P0 ${key};quorum nobody`)).toThrow('PEER_WITNESS_POLICY');
  });
});
