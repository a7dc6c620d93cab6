import path from 'node:path';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
export const fixture = (...parts: string[]): string => path.join(FIXTURES, ...parts);

/** Single-person images of knn_examples with their identity (test/ pictures differ from train/). */
export const IDENTITY_IMAGES: ReadonlyArray<{ file: string; identity: string }> = [
  { file: 'knn_examples/train/alex_lacamoire/img1.jpg', identity: 'alex_lacamoire' },
  { file: 'knn_examples/test/alex_lacamoire1.jpg', identity: 'alex_lacamoire' },
  { file: 'knn_examples/train/biden/biden.jpg', identity: 'biden' },
  { file: 'knn_examples/train/biden/biden2.jpg', identity: 'biden' },
  { file: 'knn_examples/train/kit_harington/john1.jpeg', identity: 'kit_harington' },
  { file: 'knn_examples/train/kit_harington/john2.jpeg', identity: 'kit_harington' },
  { file: 'knn_examples/test/johnsnow_test1.jpg', identity: 'kit_harington' },
  { file: 'knn_examples/train/obama/obama.jpg', identity: 'obama' },
  { file: 'knn_examples/train/obama/obama2.jpg', identity: 'obama' },
  { file: 'knn_examples/test/obama1.jpg', identity: 'obama' },
  { file: 'knn_examples/train/rose_leslie/img1.jpg', identity: 'rose_leslie' },
  { file: 'knn_examples/train/rose_leslie/img2.jpg', identity: 'rose_leslie' },
].map((e) => ({ ...e, file: path.join(FIXTURES, 'face_recognition', e.file) }));
