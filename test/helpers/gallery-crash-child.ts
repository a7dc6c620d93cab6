/**
 * Child process of the crash-safety test: enrols (and now and then erases) identities with
 * precomputed embeddings as fast as it can, printing each acknowledgement only after the call
 * returned (i.e. after the SQLite commit). The parent kills it with SIGKILL at a random moment.
 *
 *   ACK <identityId> <templateId>      enrolment committed
 *   DELETING <identityId>              erasure about to start (it may or may not commit)
 *   DEL <identityId>                   erasure committed
 *
 * Args: DATA_DIR SEED
 */
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { parseConfig } from '../../src/config/load-config';
import { openGallery } from '../../src/gallery/open-gallery';
import { seeded, unitVector } from './gallery-fixtures';

const [dataDir, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const rand = seeded(seed + 1);
const pool = Array.from({ length: 64 }, () => unitVector(512, rand));
const gallery = openGallery({
  config: parseConfig({ dataDir, log: { level: 'silent' } }),
  create: true,
  embedder: { modelId: 'fr_feature', dim: 512 },
});

// fd 1 directly: a write returns once the bytes are in the pipe, so an ACK is never lost in a buffer.
const say = (line: string) => writeSync(1, `${line}\n`);
say('READY');
const enrolled: string[] = [];
const stopAt = Date.now() + 20_000;
for (let i = 0; Date.now() < stopAt; i++) {
  const r = gallery.enrolTemplates({ name: `p${seed}-${i}`, reason: 'crash test', enrolledBy: 'child' }, [
    {
      embedding: pool[i % pool.length]!,
      imageSha256: createHash('sha256').update(`${seed}:${i}`).digest('hex'),
    },
  ]);
  const outcome = r.images[0]!;
  say(`ACK ${r.identity.id} ${outcome.status === 'enrolled' ? outcome.templateId : -1}`);
  enrolled.push(r.identity.id);
  if (i % 5 === 4) {
    const victim = enrolled.splice(Math.floor(rand() * enrolled.length), 1)[0]!;
    say(`DELETING ${victim}`);
    gallery.deleteIdentity(victim, { by: 'child', reason: 'crash test erasure' });
    say(`DEL ${victim}`);
  }
  if (i % 7 === 6) gallery.saveIndex();
}
void gallery.close();
