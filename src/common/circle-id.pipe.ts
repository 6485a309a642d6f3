import { PipeTransform } from '@nestjs/common';
import { DomainError } from '../core/rules/domain-error';
import { circleIdSchema } from '../core/formats/statement-types';

/**
 * A circle id in a path (SPEC §3.4: 22 characters of base64url). Anything else names no circle —
 * in particular "registry", whose log has its own routes under /api/v1/registry.
 */
export class CircleIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!circleIdSchema.safeParse(value).success) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${value}`);
    return value;
  }
}
