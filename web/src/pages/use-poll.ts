import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../lib/api-error';

/**
 * Calls `load` now and every `everyMs` while the page is shown (never two at once) and keeps the
 * newest result; `refresh` reloads at once (after an action).
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[] = []) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const d = await loadRef.current();
        if (stopped) return;
        setData(d);
        setError(undefined);
      } catch (err) {
        if (!stopped) setError(errorText(err));
      }
      if (!stopped) timer = setTimeout(run, everyMs);
    };
    run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [everyMs, tick, ...deps]);

  return { data, error, refresh: () => setTick((t) => t + 1) };
}
