/** How a model wants its pixels: value = (pixel - mean) / std, in this colour order. */
export interface TensorSpec {
  readonly mean: number;
  readonly std: number;
  readonly colorOrder: 'RGB' | 'BGR' | 'GREY';
}

export const GREY_WEIGHTS = [0.299, 0.587, 0.114] as const;
