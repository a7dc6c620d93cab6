import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api/api-client';
import { errorText } from '../lib/api-error';

interface Props {
  api: ApiClient;
  /** API path of the image; fetched with the key (an <img src> cannot send the header). */
  path: string;
  alt: string;
  /** Shown instead of the image when there is none. */
  emptyText: string;
  /** Tries after a 404 (a crop may be written a moment after its alert). */
  retries?: number;
  className?: string;
}

/** An image from the API shown through a blob: URL, revoked when the component goes away. */
export function AuthedImage({ api, path, alt, emptyText, retries = 0, className }: Props) {
  const [url, setUrl] = useState<string>();
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    let objectUrl: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setUrl(undefined);
    setProblem(undefined);
    const load = (left: number) => {
      api.blob(path).then(
        (b) => {
          if (cancelled) return;
          objectUrl = URL.createObjectURL(b);
          setUrl(objectUrl);
        },
        (err: unknown) => {
          if (cancelled) return;
          const status = (err as { status?: number }).status;
          if (status === 404 && left > 0) {
            timer = setTimeout(() => load(left - 1), 1000);
            return;
          }
          setProblem(status === 404 ? emptyText : errorText(err));
        },
      );
    };
    load(retries);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, path, retries, emptyText]);

  if (url) return <img class={className} src={url} alt={alt} />;
  return (
    <div
      class={`img-placeholder ${className ?? ''}`}
      role="img"
      aria-label={`${alt}: ${problem ?? 'loading'}`}
    >
      {problem ?? 'Loading…'}
    </div>
  );
}
