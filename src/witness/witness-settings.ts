// Witnessing configuration (SPEC §12.1, docs/configuration.md), parsed once at start: which logs
// this instance witnesses (origin -> the log's signed-note verifier keys), and the policy naming
// the witnesses it asks for cosignatures. A bad value stops the process with the variable named.
import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { AppConfigService } from '../config/app-config';
import { ConfigError, listItems } from '../config/config.schema';
import { parsePolicy, WitnessPolicy } from '../core/formats/witness-policy';
import { parseVerifierKey } from '../core/formats/signed-note';

/** Origins of an Archipel peer: its circles' logs and its registry. */
const PEER_ORIGIN = /^(circles\/[A-Za-z0-9_-]{22}|registry)$/;

type WitnessedLog = { origin: string | null; prefix: string; vkey: string };

export function parseWitnessedLogs(value: string): WitnessedLog[] {
  return listItems(value).map(({ item, words }) => {
    if (words.length > 2) throw new ConfigError(`WITNESSED_LOGS: "${item}" is not "VKEY" or "ORIGIN VKEY"`);
    const vkey = words[words.length - 1];
    let name: string;
    try {
      name = parseVerifierKey(vkey).name;
    } catch (e) {
      throw new ConfigError(`WITNESSED_LOGS: ${(e as Error).message} in "${item}"`);
    }
    return words.length === 2 ? { origin: words[0], prefix: '', vkey } : { origin: null, prefix: `${name}/`, vkey };
  });
}

export function parsePolicyText(text: string, what: string): WitnessPolicy {
  try {
    return parsePolicy(text);
  } catch (e) {
    throw new ConfigError(`${what}: ${(e as Error).message}`);
  }
}

@Injectable()
export class WitnessSettings {
  readonly logs: WitnessedLog[];
  /** null: no policy, so no witness is asked and `?cosigned=1` has nothing to serve. */
  readonly policy: WitnessPolicy | null;
  readonly name: string;
  readonly keyFile: string | undefined;

  constructor(config: AppConfigService) {
    this.keyFile = config.get('WITNESS_KEY_FILE');
    this.logs = parseWitnessedLogs(config.get('WITNESSED_LOGS'));
    this.name = config.get('WITNESS_NAME') ?? `${config.get('INSTANCE_NAME')}/witness`;
    const file = config.get('WITNESS_POLICY_FILE');
    const inline = config.get('WITNESS_POLICY');
    if (file) this.policy = parsePolicyText(readFileSync(file, 'utf8'), `WITNESS_POLICY_FILE ${file}`);
    else if (inline) this.policy = parsePolicyText(inline.replace(/;/g, '\n'), 'WITNESS_POLICY');
    else this.policy = null;
  }

  /** The verifier keys trusted for `origin`, or undefined when it is not witnessed here. */
  keysFor = (origin: string): string[] | undefined => {
    const keys = this.logs
      .filter((l) => (l.origin !== null ? l.origin === origin : origin.startsWith(l.prefix) && PEER_ORIGIN.test(origin.slice(l.prefix.length))))
      .map((l) => l.vkey);
    return keys.length ? keys : undefined;
  };
}
