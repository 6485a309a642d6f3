// The migration helpers: a migration runs its steps in order, keeps its name as TypeORM and the
// tests read it, and the trigger helpers write the statements the migrations always ran.
import { QueryRunner } from 'typeorm';
import { appendOnly, beforeInsert, evidenceAppendOnly, migration } from '../../../src/database/migration-steps';

function recorder(): { q: QueryRunner; ran: string[] } {
  const ran: string[] = [];
  const q = { query: async (sql: string) => void ran.push(sql) } as unknown as QueryRunner;
  return { q, ran };
}

describe('migration steps', () => {
  it('names the class and its instances, and runs the steps in order, code steps included', async () => {
    const Example = migration('Example1700000000000', {
      up: ['A', async (q) => void (await q.query('B')), 'C'],
      down: ['D'],
    });
    expect(Example.name).toBe('Example1700000000000');
    const m = new Example();
    expect(m.name).toBe('Example1700000000000');
    const { q, ran } = recorder();
    await m.up(q);
    await m.down(q);
    expect(ran).toEqual(['A', 'B', 'C', 'D']);
  });

  it('stops at the first step that fails', async () => {
    const { q, ran } = recorder();
    const failing = new (migration('Failing1700000000000', { up: ['A', () => Promise.reject(new Error('no')), 'C'], down: [] }))();
    await expect(failing.up(q)).rejects.toThrow('no');
    expect(ran).toEqual(['A']);
  });

  it('writes the append-only triggers on archipel_refuse_change, and an evidence table its own function', () => {
    expect(appendOnly('t').map((s) => s.replace(/\s+/g, ' '))).toEqual([
      'CREATE TRIGGER t_append_only BEFORE UPDATE OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION archipel_refuse_change()',
      'CREATE TRIGGER t_no_truncate BEFORE TRUNCATE ON t FOR EACH STATEMENT EXECUTE FUNCTION archipel_refuse_change()',
    ]);
    expect(evidenceAppendOnly('e')[0]).toContain(`AS $$\n      BEGIN RAISE EXCEPTION 'e is append-only'; END $$`);
  });

  it('keeps a trigger function body byte for byte as the migrations wrote it', () => {
    const [fn, trigger] = beforeInsert('vote', 'vote_num', 'archipel_vote_num', ['IF NEW.x IS NULL THEN', '  NEW.x := 1;', 'END IF;']);
    expect(fn).toBe(
      '\n      CREATE FUNCTION archipel_vote_num() RETURNS trigger LANGUAGE plpgsql AS $$\n' +
        '      BEGIN\n        IF NEW.x IS NULL THEN\n          NEW.x := 1;\n        END IF;\n        RETURN NEW;\n      END $$',
    );
    expect(trigger).toBe('CREATE TRIGGER vote_num BEFORE INSERT ON vote FOR EACH ROW EXECUTE FUNCTION archipel_vote_num()');
  });
});
