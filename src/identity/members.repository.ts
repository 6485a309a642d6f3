// The only code of the identity feature that reads the member table (written by the circles
// feature's projection of member.register).
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { MemberState } from '../core/rules/state';

@Injectable()
export class MembersRepository {
  constructor(private readonly ds: DataSource) {}

  async member(id: string): Promise<MemberState | null> {
    const [row] = await this.ds.query(`SELECT id, name, jwk FROM member WHERE id = $1`, [id]);
    return (row as MemberState) ?? null;
  }
}
