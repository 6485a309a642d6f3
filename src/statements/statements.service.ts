// SPEC §3.3, §10: the one ingestion pipeline, in this order: parse the compact JWS, check the
// payload is its JCS form, check the header, verify the signature; then, in the log's writer:
// replay, clock skew, `seen`, membership and the rules of the statement's type; then append.
import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { DomainError } from '../core/rules/domain-error';
import { MemberKeysService } from '../identity/member-keys.service';
import { assertSignature, parseCompact } from '../core/formats/statement';
import { AppendResult, LedgerWriter } from '../ledger/ledger-writer';

@Injectable()
export class StatementsService {
  private readonly maxBytes: number;

  constructor(
    private readonly writer: LedgerWriter,
    private readonly keys: MemberKeysService,
    config: AppConfigService,
  ) {
    this.maxBytes = config.get('MAX_STATEMENT_BYTES');
  }

  async submit(jws: unknown): Promise<AppendResult> {
    const receivedAt = Date.now();
    if (typeof jws !== 'string') throw new DomainError('INVALID_REQUEST', 'Expected {"jws": "<compact JWS>"}', 'jws');
    if (jws.length > this.maxBytes) throw new DomainError('PAYLOAD_TOO_LARGE', `A statement is at most ${this.maxBytes} bytes`, 'jws');
    const parsed = parseCompact(jws);
    if (parsed.header.typ !== 'archipel-statement') {
      throw new DomainError('NOT_ALLOWED', 'System statements are appended by the instance itself', 'typ');
    }
    const signer = parsed.header.kid;
    const jwk = parsed.payload.type === 'member.register' ? parsed.header.jwk : undefined;
    const key = jwk ? this.keys.keyOfJwk(signer, jwk) : await this.keys.key(signer);
    if (!key) throw new DomainError('UNKNOWN_MEMBER', `No registered member ${signer}`, 'kid');
    assertSignature(parsed, key);
    return this.writer.submit({ ctx: { payload: parsed.payload, signer, jws, jwk }, receivedAt });
  }
}
