import { PipeTransform } from '@nestjs/common';
import { DomainError } from '../core/rules/domain-error';
import { memberIdSchema } from '../core/formats/statement-types';

/** A member id in a path (SPEC §3.2: 43 characters of base64url); anything else names no member. */
export class MemberIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!memberIdSchema.safeParse(value).success) throw new DomainError('UNKNOWN_MEMBER', `No registered member ${value}`);
    return value;
  }
}

/** A key id in a path (SPEC §11: a 43-character thumbprint); anything else names no key. */
export class KeyIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!memberIdSchema.safeParse(value).success) throw new DomainError('UNKNOWN_KEY', `No key ${value}`);
    return value;
  }
}
