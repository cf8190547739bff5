/**
 * The /api/v1 contract: every endpoint as data (role, params, query, body, answers) with the zod
 * schemas they use. The web's route handlers are typed and checked from it, the CLI reads answers
 * with it and the OpenAPI document is generated from it.
 */
export {
  type Answer,
  ENDPOINTS,
  type Endpoint,
  type EndpointTag,
  endpoints,
  MAX_BODY_BYTES,
  type Method,
  TAGS,
} from './endpoints.ts';
export { openApiDocument } from './openapi.ts';
export * as schemas from './schemas.ts';
