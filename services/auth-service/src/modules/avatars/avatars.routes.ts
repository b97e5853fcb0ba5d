import type {} from '@fastify/rate-limit'; // route `config.rateLimit` typing
import type { HttpApp } from '@authmeet/http-kit';
import { AppError } from '@authmeet/http-kit';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { userSchema } from '../users/users.schemas.js';
import type { AvatarsService } from './avatars.service.js';
import { errorCodes } from '../../errors.js';

export interface AvatarsRoutesOptions {
  avatars: AvatarsService;
  maxBytes: number;
  limits: { accountMax: number; windowSec: number };
}

const bearer = [{ bearerAuth: [] }];
/** Room for the multipart boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

/** Documents the form; the file itself is read from the stream by the handler, not parsed into a body. */
const avatarForm = z
  .object({ file: z.string().meta({ format: 'binary', description: 'The image: JPEG, PNG, WebP, GIF or AVIF' }) })
  .nullish();

/** What the multipart parser throws, in this API's codes: all of it is the client's doing. */
function multipartError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new AppError('PAYLOAD_TOO_LARGE', { detail: 'The file is larger than AVATAR_MAX_BYTES' });
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: 'Send multipart/form-data with one part named "file"' });
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new AppError('PAYLOAD_TOO_LARGE', { detail: 'Send exactly one part, named "file"' });
  }
  // Busboy's parse errors (bad boundary, truncated part) and a client that hung up mid-body.
  return new AppError('MALFORMED_REQUEST', { detail: 'The multipart body could not be read', cause: error });
}

function userIdOf(request: FastifyRequest): string {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth.userId;
}

/**
 * Reads the one `file` part into `into` (the upload's reusable buffer, `maxBytes` long) and
 * returns the part of it this body filled: the only buffering of the body, and no copy of it.
 */
async function readFilePart(request: FastifyRequest, into: Buffer): Promise<Buffer> {
  try {
    const part = await request.file();
    if (!part || part.fieldname !== 'file') {
      throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'file', message: 'is required (one part named "file")' }] });
    }
    let length = 0;
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      // Busboy stops at the fileSize limit (= maxBytes = the buffer's length) and flags the part.
      if (part.file.truncated || length + chunk.length > into.length) throw new AppError('PAYLOAD_TOO_LARGE', { detail: 'The file is larger than AVATAR_MAX_BYTES' });
      length += chunk.copy(into, length);
    }
    if (part.file.truncated) throw new AppError('PAYLOAD_TOO_LARGE', { detail: 'The file is larger than AVATAR_MAX_BYTES' });
    return into.subarray(0, length);
  } catch (error) {
    throw multipartError(error);
  }
}

export function avatarsRoutes(opts: AvatarsRoutesOptions) {
  const { avatars } = opts;
  const rateLimit = { rateLimit: { max: opts.limits.accountMax, timeWindow: opts.limits.windowSec * 1000 } };

  return async function routes(app: HttpApp) {
    // Registered here, inside this plugin only: no other route of the service accepts multipart.
    await app.register(fastifyMultipart, {
      limits: { fileSize: opts.maxBytes, files: 1, parts: 1, fields: 0, headerPairs: 20, fieldNameSize: 64 },
    });

    app.put(
      '/me/avatar',
      {
        preHandler: app.authenticate,
        config: rateLimit,
        schema: {
          tags: ['account'],
          operationId: 'uploadAvatar',
          errors: errorCodes('IMAGE_INVALID'),
          summary: 'Upload a profile picture',
          description:
            'multipart/form-data with one part `file` of at most AVATAR_MAX_BYTES (default 5 MiB). The image is judged by its content (JPEG, PNG, WebP, GIF or AVIF); it is stored as a JPEG of at most 500×500 with its orientation applied and all metadata (GPS, camera) removed. 415 for a file that is not such an image; 422 `IMAGE_INVALID` for one that cannot be decoded or has more than AVATAR_MAX_PIXELS; 503 when the picture storage is down or too many uploads are in progress. The previous picture is deleted afterwards.',
          security: bearer,
          consumes: ['multipart/form-data'],
          body: avatarForm,
          response: { 200: userSchema },
        },
      },
      async (request) => {
        const userId = userIdOf(request);
        // A declared size that cannot fit is refused before a byte of it is read.
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > opts.maxBytes + MULTIPART_OVERHEAD_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', { detail: 'The file is larger than AVATAR_MAX_BYTES' });
        return avatars.upload(userId, (into) => readFilePart(request, into));
      },
    );

    app.delete(
      '/me/avatar',
      {
        preHandler: app.authenticate,
        config: rateLimit,
        schema: {
          tags: ['account'],
          operationId: 'removeAvatar',
          summary: 'Remove the profile picture',
          description: 'The picture is deleted from the storage in the background (retried until it is gone).',
          security: bearer,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await avatars.remove(userIdOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
