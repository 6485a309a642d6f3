// The instances this one federates with (SPEC §12.2, docs/federation.md): FEDERATION_PEERS, parsed
// once at start. A bad value stops the process with the variable named.
import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { ConfigError, listItems } from '../config/config.schema';
import type { WitnessPolicy } from '../core/formats/witness-policy';
import { parsePolicyText } from '../witness/witness-settings';

export interface PeerAddress {
  name: string;
  url: string;
}

export function parsePeers(value: string): PeerAddress[] {
  return listItems(value).map(({ item, words }) => {
    if (words.length !== 2) throw new ConfigError(`FEDERATION_PEERS: "${item}" is not "NAME URL"`);
    const [name, url] = words;
    if (!/^[^\s+]+$/.test(name)) throw new ConfigError(`FEDERATION_PEERS: "${name}" is not an instance name (no spaces, no "+")`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`FEDERATION_PEERS: "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`FEDERATION_PEERS: "${url}" is not an http(s) URL`);
    return { name, url: url.replace(/\/+$/, '') };
  });
}

@Injectable()
export class FederationSettings {
  readonly peers: ReadonlyMap<string, PeerAddress>;
  readonly instanceName: string;
  readonly timeoutMs: number;
  /** What a peer's receipt must be cosigned by (PEER_WITNESS_POLICY); null: its pinned key alone. */
  readonly peerPolicy: WitnessPolicy | null;

  constructor(config: AppConfigService) {
    this.instanceName = config.get('INSTANCE_NAME');
    const peers = parsePeers(config.get('FEDERATION_PEERS'));
    const self = peers.find((p) => p.name === this.instanceName);
    if (self) throw new ConfigError(`FEDERATION_PEERS: "${self.name}" is this instance's own name (INSTANCE_NAME)`);
    this.peers = new Map(peers.map((p) => [p.name, p]));
    this.timeoutMs = config.get('FEDERATION_TIMEOUT_MS');
    const policy = config.get('PEER_WITNESS_POLICY');
    this.peerPolicy = policy ? parsePolicyText(policy.replace(/;/g, '\n'), 'PEER_WITNESS_POLICY') : null;
  }
}
