export interface ImageLimits {
  maxPixels: number;
  maxBytes: number;
}
