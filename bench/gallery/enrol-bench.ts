/**
 * Enrolment throughput end to end: the real Gallery.enrol (decode, detection, dominant face,
 * alignment, embedding, SQLite commit, index add) on the fixture photos, into a temporary data dir.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load-config';
import { openGallery } from '../../src/gallery/open-gallery';
import { packageRoot } from '../../src/util/package-root';
import { createFaceAnalyzer } from '../../src/vision/create-face-analyzer';
import { round } from '../bench-report';

export interface EnrolBenchResult {
  enrol_images_per_s: number;
  images: number;
  identities: number;
  templates_enrolled: number;
  images_rejected: number;
  wall_s: number;
  vision_workers: number;
  rounds: number;
  note: string;
}

const IMAGE = /\.(jpe?g|png)$/i;

export async function runEnrolBench(log: (m: string) => void, rounds = 3): Promise<EnrolBenchResult> {
  const fixtures = path.join(packageRoot(), 'test', 'fixtures');
  const train = path.join(fixtures, 'face_recognition', 'knn_examples', 'train');
  const people: Array<{ name: string; images: string[] }> = readdirSync(train).map((p) => ({
    name: p,
    images: readdirSync(path.join(train, p))
      .filter((f) => IMAGE.test(f))
      .map((f) => path.join(train, p, f)),
  }));
  const dlib = path.join(fixtures, 'dlib_faces');
  for (const f of readdirSync(dlib).filter((x) => IMAGE.test(x))) {
    people.push({ name: `dlib ${f}`, images: [path.join(dlib, f)] });
  }
  const fr = path.join(fixtures, 'face_recognition');
  for (const f of ['obama.jpg', 'biden.jpg', 'lin-manuel-miranda.png', 'alex-lacamoire.png']) {
    people.push({ name: `single ${f}`, images: [path.join(fr, f)] });
  }

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'argus-gallery-enrol-'));
  const config = parseConfig({ dataDir, log: { level: 'silent' } });
  const workers = config.vision.workers.count;
  const analyzer = await createFaceAnalyzer(config, { workers });
  try {
    let images = 0;
    let enrolled = 0;
    let rejected = 0;
    let identities = 0;
    // Warm-up (first inference of each session is slow): one identity, not timed.
    const warm = openGallery({ config, create: true, faces: async () => analyzer });
    await warm.enrol({ name: 'warm-up', reason: 'bench', enrolledBy: 'bench' }, [people[0]!.images[0]!]);
    await warm.close();
    rmSync(path.join(dataDir, 'gallery'), { recursive: true, force: true });

    const gallery = openGallery({ config, create: true, faces: async () => analyzer });
    const t = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const p of people) {
        images += p.images.length;
        try {
          // Each round enrols new identities (the same photos again are new people to the gallery).
          const res = await gallery.enrol(
            { name: `${p.name} #${r}`, reason: 'benchmark', enrolledBy: 'bench' },
            p.images,
          );
          identities++;
          for (const o of res.images) {
            if (o.status === 'enrolled') enrolled++;
            else rejected++;
          }
        } catch {
          rejected += p.images.length;
        }
      }
    }
    const wall = (performance.now() - t) / 1000;
    await gallery.close();
    const result: EnrolBenchResult = {
      enrol_images_per_s: round(images / wall, 2),
      images,
      identities,
      templates_enrolled: enrolled,
      images_rejected: rejected,
      wall_s: round(wall, 2),
      vision_workers: workers,
      rounds,
      note: 'Gallery.enrol end to end on knn_examples/train (one identity per person, all photos), the dlib_faces photos and four single portraits, enrolled `rounds` times as new identities; models loaded and warmed before timing; images/s counts every image submitted (rejected ones too)',
    };
    log(`enrol: ${result.enrol_images_per_s} images/s (${images} images, ${enrolled} templates)`);
    return result;
  } finally {
    await analyzer.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
