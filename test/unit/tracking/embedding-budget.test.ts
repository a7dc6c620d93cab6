import { type BudgetCandidate, EmbeddingBudget } from '../../../src/tracking/embedding-budget';

const cands = (n: number, quality = (i: number) => 0.5 + (i % 5) * 0.01): BudgetCandidate[] =>
  Array.from({ length: n }, (_, i) => ({ trackId: i + 1, quality: quality(i) }));

describe('EmbeddingBudget', () => {
  it('embeds a track when it starts, then every N frames', () => {
    const b = new EmbeddingBudget({ everyNFrames: 10 });
    const frames: number[] = [];
    for (let f = 1; f <= 25; f++) {
      const p = b.plan([{ trackId: 7, quality: 0.6 }]);
      if (p.embed.length) frames.push(p.frame);
      if (f === 1) expect(p.embed).toEqual([{ trackId: 7, reason: 'new', waitedFrames: 0 }]);
      if (f === 11) expect(p.embed[0]!.reason).toBe('periodic');
    }
    expect(frames).toEqual([1, 11, 21]);
  });

  it('embeds again when quality improves markedly over the best embedded quality', () => {
    const b = new EmbeddingBudget({ qualityImprovement: 0.15 });
    expect(b.plan([{ trackId: 1, quality: 0.4 }]).embed).toHaveLength(1);
    expect(b.plan([{ trackId: 1, quality: 0.5 }]).embed).toHaveLength(0); // +0.10: not enough
    const p = b.plan([{ trackId: 1, quality: 0.56 }]);
    expect(p.embed).toEqual([{ trackId: 1, reason: 'quality', waitedFrames: 0 }]);
    // The bar moves up with the best embedded quality.
    expect(b.plan([{ trackId: 1, quality: 0.6 }]).embed).toHaveLength(0);
    expect(b.plan([{ trackId: 1, quality: 0.72 }]).embed[0]!.reason).toBe('quality');
  });

  it('caps embeddings per frame by count and by time budget, never below minPerFrame', () => {
    expect(new EmbeddingBudget({ maxPerFrame: 16, budgetMs: 40, msPerFace: 5 }).capacity()).toBe(8);
    expect(new EmbeddingBudget({ maxPerFrame: 4, budgetMs: 40, msPerFace: 5 }).capacity()).toBe(4);
    expect(new EmbeddingBudget({ budgetMs: 1, msPerFace: 5, minPerFrame: 1 }).capacity()).toBe(1);
    // An overloaded machine (250 ms a face) still embeds the floor.
    expect(new EmbeddingBudget({ budgetMs: 60, msPerFace: 250 }).capacity()).toBe(4);
    expect(
      new EmbeddingBudget({ budgetMs: 60, msPerFace: 250, minPerFrame: 6, maxPerFrame: 5 }).capacity(),
    ).toBe(5);
    expect(() => new EmbeddingBudget({ minPerFrame: 0 })).toThrow(RangeError);
  });

  it('re-embeds a track with pending evidence next frame, ahead of periodic refreshes', () => {
    const b = new EmbeddingBudget({ maxPerFrame: 1, minPerFrame: 1, budgetMs: 1000, everyNFrames: 100 });
    b.plan([{ trackId: 1, quality: 0.5 }]);
    b.plan([{ trackId: 2, quality: 0.5 }]);
    const p = b.plan([
      { trackId: 1, quality: 0.5 },
      { trackId: 2, quality: 0.5, pendingMatch: true },
    ]);
    expect(p.embed.map((e) => [e.trackId, e.reason])).toEqual([[2, 'evidence']]);
    // Not twice in the same frame, and not again without new evidence.
    expect(b.plan([{ trackId: 2, quality: 0.5 }]).embed).toEqual([]);
  });

  it('follows the measured cost per face', () => {
    const b = new EmbeddingBudget({ maxPerFrame: 100, budgetMs: 40, msPerFace: 5 });
    for (let i = 0; i < 50; i++) b.recordCost(20, 2); // 10 ms per face
    expect(b.capacity()).toBe(4);
    b.recordCost(Number.NaN, 3);
    b.recordCost(5, 0);
    expect(b.capacity()).toBe(4);
  });

  it('puts new tracks first, then the best quality, and reports deferrals', () => {
    const b = new EmbeddingBudget({ maxPerFrame: 3, budgetMs: 1000, everyNFrames: 1 });
    b.plan([
      { trackId: 1, quality: 0.9 },
      { trackId: 2, quality: 0.3 },
      { trackId: 3, quality: 0.7 },
    ]);
    // All three are due again (every frame), plus two new tracks.
    const p = b.plan([
      { trackId: 1, quality: 0.9 },
      { trackId: 2, quality: 0.3 },
      { trackId: 3, quality: 0.7 },
      { trackId: 4, quality: 0.2 },
      { trackId: 5, quality: 0.5 },
    ]);
    expect(p.embed.map((e) => [e.trackId, e.reason])).toEqual([
      [5, 'new'],
      [4, 'new'],
      [1, 'periodic'],
    ]);
    expect(p.deferred).toBe(2);
    expect(p.deferredTrackIds).toEqual([3, 2]);
  });

  it('100 new faces at 10 per frame: everyone is embedded within 10 frames, longest waiting first', () => {
    const b = new EmbeddingBudget({ maxPerFrame: 10, budgetMs: 1000, everyNFrames: 10 });
    const embedded = new Set<number>();
    const deferredPerFrame: number[] = [];
    for (let f = 0; f < 10; f++) {
      const p = b.plan(cands(100));
      p.embed.forEach((e) => {
        expect(embedded.has(e.trackId)).toBe(false);
        embedded.add(e.trackId);
      });
      deferredPerFrame.push(p.deferred);
    }
    expect(embedded.size).toBe(100);
    expect(deferredPerFrame).toEqual([90, 80, 70, 60, 50, 40, 30, 20, 10, 0]);
  });

  it('under sustained overload, first embeddings never starve; periodic refreshes yield to them', () => {
    // 60 faces, capacity 4/frame, every track wants a refresh every frame: demand is 15x capacity.
    // A new low-quality face arrives every 5 frames; each must get its first embedding within a
    // bounded wait, even though 60 refreshes of better-quality faces are always due.
    const b = new EmbeddingBudget({ maxPerFrame: 4, budgetMs: 1000, everyNFrames: 1, starvationFrames: 10 });
    const firstEmbedded = new Map<number, number>();
    const arrived = new Map<number, number>();
    let worstWait = 0;
    for (let f = 1; f <= 300; f++) {
      const newcomers = Array.from({ length: Math.floor(f / 5) }, (_, i) => 1000 + i);
      for (const id of newcomers) if (!arrived.has(id)) arrived.set(id, f);
      const p = b.plan([
        ...cands(60, (i) => 0.9 - i * 0.001),
        ...newcomers.map((trackId) => ({ trackId, quality: 0.05 })),
      ]);
      expect(p.embed.length).toBe(4);
      for (const e of p.embed) {
        if (firstEmbedded.has(e.trackId)) continue;
        firstEmbedded.set(e.trackId, f);
        if (e.trackId >= 1000) worstWait = Math.max(worstWait, f - arrived.get(e.trackId)!);
      }
    }
    expect([...arrived.keys()].every((id) => firstEmbedded.has(id) || arrived.get(id)! > 300 - 12)).toBe(
      true,
    );
    expect(worstWait).toBeLessThanOrEqual(12);
    // Every one of the 60 original faces got its first embedding too.
    for (let i = 1; i <= 60; i++) expect(firstEmbedded.has(i)).toBe(true);
  });

  it('forgets ended tracks (a returning id would count as new) and prunes stale ones', () => {
    const b = new EmbeddingBudget({ staleFrames: 5 });
    b.plan([{ trackId: 1, quality: 0.5 }]);
    b.forget([1]);
    expect(b.trackedCount).toBe(0);
    expect(b.plan([{ trackId: 1, quality: 0.5 }]).embed[0]!.reason).toBe('new');
    for (let i = 0; i < 70; i++) b.plan([]);
    expect(b.trackedCount).toBe(0);
  });

  it('rejects nonsense options', () => {
    expect(() => new EmbeddingBudget({ everyNFrames: 0 })).toThrow(RangeError);
    expect(() => new EmbeddingBudget({ msPerFace: 0 })).toThrow(RangeError);
  });
});
