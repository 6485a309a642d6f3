import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { DomainError } from '../core/rules/domain-error';

/** Validate a request part (body, query, param) with a zod schema; refusals carry the field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly code: 'INVALID_REQUEST' | 'INVALID_RANGE' = 'INVALID_REQUEST',
  ) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw new DomainError(this.code, issue.message, issue.path.map(String).join('.') || undefined);
  }
}

export const seqNumber = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
