import type { AlertHub } from '../alerts/alert-hub';
import type { AlertCrop, AlertEvent, AlertInput, AlertUpdateEvent } from '../alerts/alert-messages';
import type { AlertStore } from '../alerts/alert-store';
import type { Logger } from '../logging/create-logger';
import type { CropImage } from '../pipeline/crop-region';
import type { AlertSink } from '../pipeline/stream-analysis';

export type CropMode = 'url' | 'inline' | 'none';

export interface AlertRecorderDeps {
  hub: AlertHub;
  store: AlertStore;
  cropMode: CropMode;
  /** JPEG of a face crop (sharp in production). */
  encode: (crop: CropImage) => Promise<Buffer>;
  logger: Logger;
  onAlert?: (event: AlertEvent | AlertUpdateEvent) => void;
}

/**
 * The alert sink of every stream: encodes the best frame's crop, records the alert, then pushes it
 * to WebSocket subscribers. Recording happens before fan-out, so what a client sees is in the
 * history; a failing disk is logged and does not hold a live alert back.
 */
export class AlertRecorder implements AlertSink {
  constructor(private readonly deps: AlertRecorderDeps) {}

  async alert(input: AlertInput, crop: CropImage | undefined): Promise<number> {
    const { jpeg, staged } = await this.prepare(crop);
    const event = this.deps.hub.publish(
      (eventId) => this.withCrop(input, eventId, jpeg),
      (e) =>
        this.safely('record alert', () => {
          this.deps.store.insert(e);
          if (staged) this.deps.store.commitCrop(e.eventId, staged);
        }),
    );
    this.deps.onAlert?.(event);
    return event.eventId;
  }

  async update(alertId: number, input: AlertInput, crop: CropImage | undefined): Promise<void> {
    const { jpeg, staged } = await this.prepare(crop);
    const event = this.deps.hub.publishUpdate(alertId, this.withCrop(input, alertId, jpeg), (e) =>
      this.safely('record alert update', () => {
        this.deps.store.update(alertId, {
          similarity: e.similarity,
          margin: e.margin,
          fmr: e.fmr,
          evidenceCount: e.evidenceCount,
          box: e.box,
          quality: e.quality,
          updatedTime: e.emitTime,
          eventId: e.eventId,
        });
        if (staged) this.deps.store.commitCrop(alertId, staged);
      }),
    );
    this.deps.onAlert?.(event);
  }

  /**
   * Encodes the crop and writes it to disk before the alert is published (so a client that fetches
   * it at once finds it); only a rename is left for the moment the record is inserted. A crop that
   * cannot be kept is left out of the alert altogether.
   */
  private async prepare(crop: CropImage | undefined): Promise<{ jpeg?: Buffer; staged?: string }> {
    const jpeg = await this.encode(crop);
    if (!jpeg) return {};
    try {
      return { jpeg, staged: await this.deps.store.stageCrop(jpeg) };
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'alert crop could not be written');
      return {};
    }
  }

  private async encode(crop: CropImage | undefined): Promise<Buffer | undefined> {
    if (!crop) return undefined;
    try {
      return await this.deps.encode(crop);
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'alert crop could not be encoded');
      return undefined;
    }
  }

  private withCrop(input: AlertInput, alertId: number, jpeg: Buffer | undefined): AlertInput {
    if (!jpeg || this.deps.cropMode === 'none') return input;
    const crop: AlertCrop =
      this.deps.cropMode === 'inline'
        ? { jpegBase64: jpeg.toString('base64') }
        : { url: `/v1/alerts/${alertId}/crop` };
    return { ...input, crop };
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ err: (err as Error).message }, `${what} failed`);
    }
  }
}
