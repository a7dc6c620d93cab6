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
      .describe('Require an API key on /v1/alerts and WHIP. Turning it off is allowed on loopback only.'),
    maxConnectionsPerKey: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(10)
      .describe('Open WebSocket connections per API key; more are refused with 429 before the upgrade.'),
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
