import { PipeTransform } from '@nestjs/common';
import { DomainError } from '../core/rules/domain-error';
import { proposalIdSchema } from '../core/formats/statement-types';

/** A proposal id in a path (SPEC §3.7: 22 characters of base64url); anything else names no proposal. */
export class ProposalIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!proposalIdSchema.safeParse(value).success) throw new DomainError('UNKNOWN_PROPOSAL', `No proposal ${value}`);
    return value;
  }
}
