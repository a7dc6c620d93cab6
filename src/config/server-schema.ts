import { z } from 'zod';

/** http.* and alerts.* (part of the config schema). */
export const httpSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .max(255)
      .default('127.0.0.1')
      .describe(
        'Address the HTTP server (WHIP, WebSocket /v1/alerts) listens on. A non-loopback address is refused unless http.auth is on.',
      ),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(8080)
      .describe('HTTP port; 0 picks a free one (printed at start-up).'),
    auth: z
      .boolean()
      .default(true)
      .describe(
        'Require an API key on the REST API (/v1/*), /v1/alerts and WHIP. Turning it off is allowed on loopback only; every caller then acts as an admin called "anonymous".',
      ),
    maxConnectionsPerKey: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(10)
      .describe('Open WebSocket connections per API key; more are refused with 429 before the upgrade.'),
    corsOrigins: z
      .array(z.string().min(1).max(255))
      .max(100)
      .default([])
      .describe(
        'Origins (e.g. "https://ops.example.org") allowed to call the API from a browser page served elsewhere. Empty (the default): no CORS headers, so only the dashboard served by Argus itself can call it.',
      ),
    rateLimit: z
      .strictObject({
        max: z
          .number()
          .int()
          .min(1)
          .max(10_000_000)
          .default(1200)
          .describe('Requests allowed per API key (per client address when no key is sent) in each window.'),
        timeWindowMs: z
          .number()
          .int()
          .min(1000)
          .max(86_400_000)
          .default(60_000)
          .describe(
            'Length of the rate-limit window in ms. Over the limit: 429 ARGUS_E_RATE_LIMITED with Retry-After.',
          ),
      })
      .prefault({})
      .describe('Per-key request rate limit of the HTTP API.'),
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Largest JSON request body in bytes; larger ones are refused with 413.'),
    uploadLimitBytes: z
      .number()
      .int()
      .min(1024)
      .max(1_000_000_000)
      .default(20 * 1024 * 1024)
      .describe(
        'Largest uploaded image (one multipart file part) in bytes; larger ones are refused with 413 before they are buffered whole. vision.maxImageBytes also applies.',
      ),
    maxUploadFiles: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(20)
      .describe('Most image files in one enrolment or add-images request.'),
    metricsAuth: z
      .boolean()
      .default(true)
      .describe(
        'Require an API key (any role) on /metrics. Turn off only when the port is reachable by the Prometheus scraper alone.',
      ),
    docs: z
      .boolean()
      .default(true)
      .describe(
        'Serve the OpenAPI document (/docs/json) and interactive API docs (/docs); reading them needs no key.',
      ),
  })
  .prefault({});

export const alertsSchema = z
  .strictObject({
    k: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(2)
      .describe('A track alerts when at least k of its last n embeddings match one identity.'),
    n: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe("Window of a track's last n embeddings for the k-of-n rule (n >= k)."),
    instantThreshold: z
      .number()
      .min(-1)
      .max(1)
      .default(0.7)
      .describe('One embedding at or above this similarity (with the margin) alerts at once.'),
    crop: z
      .enum(['url', 'inline', 'none'])
      .default('url')
      .describe(
        'How an alert carries the JPEG of its best frame: a URL (GET /v1/alerts/:id/crop, key needed, audited), inline base64, or not at all (crops are still kept for review).',
      ),
    historySize: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(1000)
      .describe('Events kept in memory for WebSocket `resume`.'),
    maxBufferedBytes: z
      .number()
      .int()
      .min(1024)
      .max(1_073_741_824)
      .default(1024 * 1024)
      .describe('A WebSocket client with more unsent bytes than this is disconnected (close 4008).'),
  })
  .refine((a) => a.n >= a.k, { message: 'alerts.n must be >= alerts.k', path: ['n'] })
  .prefault({});
