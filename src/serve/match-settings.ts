import { ArgusError } from '../errors/argus-error';
import type { MatchSettings, MatchSettingsService } from './service-ports';

export interface MatchTargets {
  /** Estimated false-match rate at a similarity, or null without calibration. */
  fmrAt(similarity: number): number | null;
  /** Applies the operating point to gallery search and every stream's alert policy. */
  apply(threshold: number, margin: number): void;
}

/** The live operating point. Changes are audited by the API route, applied here to every part. */
export class LiveMatchSettings implements MatchSettingsService {
  constructor(
    private threshold: number,
    private margin: number,
    private readonly targets: MatchTargets,
  ) {}

  get(): MatchSettings {
    return {
      threshold: this.threshold,
      margin: this.margin,
      fmrAtThreshold: this.targets.fmrAt(this.threshold),
    };
  }

  set(v: { threshold: number; margin: number }): MatchSettings {
    if (!(v.threshold >= -1 && v.threshold <= 1) || !(v.margin >= 0 && v.margin <= 2)) {
      throw new ArgusError('ARGUS_E_HTTP_BAD_REQUEST', {
        reason: 'threshold must be in [-1, 1] and margin in [0, 2]',
      });
    }
    this.threshold = v.threshold;
    this.margin = v.margin;
    this.targets.apply(v.threshold, v.margin);
    return this.get();
  }
}
