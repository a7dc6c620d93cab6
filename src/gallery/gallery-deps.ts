import type { ArgusConfig } from '../config/config-schema';
import type { GalleryStore } from './gallery-store';
import type { GalleryLogger } from './gallery-types';
import type { IndexProgress } from './index-sync';
import type { FaceSource } from './template-intake';
import type { VectorIndexFactory } from './vector-index';

/** What a Gallery is made of (open-gallery.ts wires the real ones). */
export interface GalleryDeps {
  store: GalleryStore;
  indexFactory: VectorIndexFactory;
  config: Readonly<ArgusConfig>;
  /** The embedding model this process produces embeddings with. */
  embedder: { modelId: string; dim: number };
  /** Where the index and calibration live (beside the database). */
  dir: string;
  /** Started on first use: list, remove and stats never load the models. */
  faces?: () => Promise<FaceSource>;
  onIndexProgress?: IndexProgress;
  logger?: GalleryLogger;
  /**
   * Build the HNSW index in a worker thread instead of in the constructor (`argus serve`): until
   * it is swapped in, galleries of up to EXACT_WHILE_BUILDING templates are searched exactly and
   * bigger ones refuse searches with ARGUS_E_GALLERY_INDEX_BUILDING.
   */
  indexInBackground?: boolean;
  /** Default EXACT_WHILE_BUILDING (tests lower it to see the 'building' state). */
  exactWhileBuilding?: number;
}

/**
 * Largest gallery searched exactly while its index builds: ~5 ms of CPU per query at this size,
 * tolerable for the minutes a build takes; beyond it a query would stall the event loop.
 */
export const EXACT_WHILE_BUILDING = 10_000;
