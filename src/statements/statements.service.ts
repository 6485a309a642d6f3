// SPEC §3.3, §10: the one ingestion pipeline, in this order: parse the compact JWS, check the
// payload is its JCS form, check the header, verify the signature; then, in the log's writer:
// the signing key's validity at the entry's time (SPEC §11), replay, clock skew, `seen`,
// membership and the rules of the statement's type; then append.
import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { DomainError } from '../core/rules/domain-error';
import { KeyIndexService } from '../identity/key-index.service';
import { publicKeyFromJwk } from '../core/formats/keys';
import { assertSignature, parseCompact } from '../core/formats/statement';
import { AppendResult, LedgerWriter } from '../ledger/ledger-writer';
import { isRemoteCircle } from '../core/formats/ids';
import { RemoteParentCheck } from '../federation/remote-parent-check';

@Injectable()
export class StatementsService {
  private readonly maxBytes: number;

  constructor(
    private readonly writer: LedgerWriter,
    private readonly keys: KeyIndexService,
    private readonly remoteParents: RemoteParentCheck,
    config: AppConfigService,
  ) {
    this.maxBytes = config.get('MAX_STATEMENT_BYTES');
  }

  /**
   * `imported`: a statement signed for another instance and proven by its log (SPEC §12.2, a
   * member's registry entries brought from her home instance): its `at` is not held to this
   * clock's skew, since it was when it was first appended there.
   */
  async submit(jws: unknown, options: { imported?: boolean } = {}): Promise<AppendResult> {
    const receivedAt = Date.now();
    if (typeof jws !== 'string') throw new DomainError('INVALID_REQUEST', 'Expected {"jws": "<compact JWS>"}', 'jws');
    if (jws.length > this.maxBytes) throw new DomainError('PAYLOAD_TOO_LARGE', `A statement is at most ${this.maxBytes} bytes`, 'jws');
    const parsed = parseCompact(jws);
    if (parsed.header.typ !== 'archipel-statement') {
      throw new DomainError('NOT_ALLOWED', 'System statements are appended by the instance itself', 'typ');
    }
    const kid = parsed.header.kid;
    const jwk = parsed.payload.type === 'member.register' ? parsed.header.jwk : undefined;
    if (jwk) {
      assertSignature(parsed, publicKeyFromJwk(jwk));
      return this.writer.submit({ ctx: { payload: parsed.payload, signer: kid, kid, jws, jwk }, receivedAt, imported: options.imported });
    }
    // SPEC §11: the signer is the member the key belongs to. Whether the key signs at the entry's
    // time (not revoked, not a recovery key misused) is decided by the writer, under its lock.
    const key = await this.keys.lookup(kid);
    if (!key) throw new DomainError('UNKNOWN_KEY', `No key ${kid} is registered: register it (member.register) or add it with one of your keys (member.key.add)`, 'kid');
    assertSignature(parsed, key.publicKey);
    if (parsed.payload.type === 'circle.create' && parsed.payload.body.parent !== undefined && isRemoteCircle(parsed.payload.body.parent)) {
      await this.remoteParents.check(parsed.payload.body.parent, key.record.member);
    }
    return this.writer.submit({ ctx: { payload: parsed.payload, signer: key.record.member, kid, jws }, receivedAt, imported: options.imported });
  }
}
