/** Hash routes of the dashboard: `#/streams`, `#/history`, ... */
export const PAGES = ['streams', 'live', 'history', 'gallery', 'system'] as const;
export type Page = (typeof PAGES)[number];

export const PAGE_TITLES: Record<Page, string> = {
  streams: 'Streams',
  live: 'Live alerts',
  history: 'Alert history',
  gallery: 'Gallery',
  system: 'System',
};

/** The page a location hash names; the streams page for anything else. */
export function pageFromHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'streams';
}
