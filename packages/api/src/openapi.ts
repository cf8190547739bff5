import { PINCER_VERSION } from '@pincer/config';
import { z } from 'zod';
import { type Answer, ENDPOINTS, type Endpoint, MAX_BODY_BYTES, TAGS } from './endpoints.ts';
import { ApiErrorBody, requestSchemas, responseSchemas, WorkflowDefinition } from './schemas.ts';

type JsonSchema = z.core.JSONSchema.BaseSchema;
type Registry = typeof requestSchemas;

const COMPONENTS = '#/components/schemas/';

/** ISO timestamps are documented by `format`; zod's long validation pattern adds nothing for readers. */
function dropDatePattern({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
}

/** Request schemas as clients may write them, responses as the server sends them. */
function components(registry: Registry, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, {
    io,
    uri: (id) => `${COMPONENTS}${id}`,
    unrepresentable: 'any',
    override: dropDatePattern,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]),
  );
}

function ref(schema: z.ZodType, registry: Registry): { $ref: string } {
  const id = registry.get(schema)?.id;
  if (!id) throw new Error('internal: an API schema is used by an endpoint without being registered');
  return { $ref: `${COMPONENTS}${id}` };
}

function inline(schema: z.ZodType): JsonSchema {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: dropDatePattern,
  });
  return rest;
}

function parameters(endpoint: Endpoint) {
  const of = (where: 'path' | 'query', object: z.ZodObject | undefined) =>
    Object.entries(object?.shape ?? {}).map(([name, schema]) => {
      const { description, ...documented } = inline(schema);
      return {
        name,
        in: where,
        required: where === 'path' || !schema.safeParse(undefined).success,
        ...(typeof description === 'string' ? { description } : {}),
        schema: documented,
      };
    });
  return [...of('path', endpoint.params), ...of('query', endpoint.query)];
}

function requestBody(endpoint: Endpoint) {
  if (!endpoint.body) return {};
  if (endpoint.body === 'workflow') {
    const yaml = {
      schema: { type: 'string', description: 'the definition as YAML, `workflow:` at the top' },
    };
    return {
      requestBody: {
        required: true,
        description: `A workflow definition as YAML or JSON, at most ${MAX_BODY_BYTES / 1024 / 1024} MiB.`,
        content: {
          'application/yaml': yaml,
          'text/yaml': yaml,
          'text/plain': yaml,
          'application/json': { schema: ref(WorkflowDefinition, requestSchemas) },
        },
      },
    };
  }
  return {
    requestBody: {
      required: !endpoint.body.safeParse({}).success,
      content: { 'application/json': { schema: ref(endpoint.body, requestSchemas) } },
    },
  };
}

function answer({ description, json, yaml, binary }: Answer) {
  const content = {
    ...(json ? { 'application/json': { schema: ref(json, responseSchemas) } } : {}),
    ...(yaml ? { 'application/yaml': { schema: { type: 'string' } } } : {}),
    ...(binary ? { '*/*': { schema: { type: 'string', format: 'binary' } } } : {}),
  };
  return { description, ...(Object.keys(content).length > 0 ? { content } : {}) };
}

/** Failures every endpoint can answer with, besides the ones it documents itself. */
function commonFailures(endpoint: Endpoint): Record<string, { $ref: string }> {
  const failures: Record<string, { $ref: string }> = {
    401: { $ref: '#/components/responses/Unauthorized' },
    403: { $ref: '#/components/responses/Forbidden' },
  };
  if (endpoint.params) failures[404] = { $ref: '#/components/responses/NotFound' };
  if (endpoint.body || endpoint.query) failures[400] = { $ref: '#/components/responses/BadRequest' };
  if (endpoint.body) failures[413] = { $ref: '#/components/responses/TooLarge' };
  return failures;
}

function operation(endpoint: Endpoint) {
  const documented = Object.fromEntries(
    Object.entries(endpoint.answers).map(([status, spec]) => [status, answer(spec)]),
  );
  const params = parameters(endpoint);
  return {
    operationId: endpoint.operationId,
    tags: [endpoint.tag],
    summary: endpoint.summary,
    description: `Needs a token acting as ${endpoint.role} or above.`,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...requestBody(endpoint),
    responses: { ...commonFailures(endpoint), ...documented },
  };
}

const errorAnswer = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref(ApiErrorBody, responseSchemas) } },
});

/** The OpenAPI 3.1 document of /api/v1, generated from the endpoint list and its zod schemas. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of ENDPOINTS) {
    paths[endpoint.path] = { ...paths[endpoint.path], [endpoint.method]: operation(endpoint) };
  }
  paths['/hooks/{id}'] = webhookOperations();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pincer API',
      version: PINCER_VERSION,
      description:
        'Workflows, runs, approvals and API tokens. Every endpoint needs `Authorization: Bearer <token>` ' +
        '(create one with `pincer token create`). Errors are always `{ "error": { "code", "message", "issues"? } }`.',
    },
    servers: [{ url: `${serverUrl.replace(/\/$/, '')}/api/v1` }],
    security: [{ bearer: [] }],
    tags: Object.entries(TAGS).map(([name, { description }]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token: pcr_<prefix>_<secret>' },
      },
      schemas: { ...components(requestSchemas, 'input'), ...components(responseSchemas, 'output') },
      responses: {
        BadRequest: errorAnswer('The request or the definition is invalid; `issues` lists every problem'),
        Unauthorized: errorAnswer('No token, or an unknown, revoked or expired one'),
        Forbidden: errorAnswer("The token's role is too low for this endpoint"),
        NotFound: errorAnswer('No such workflow, version, run or token'),
        TooLarge: errorAnswer(`The body is over ${MAX_BODY_BYTES / 1024 / 1024} MiB`),
      },
    },
  };
}

/**
 * The webhook endpoint is not a bearer-token endpoint: its secret travels in X-Pincer-Secret and
 * its answer is whatever the workflow's respond step says, so it is described by hand.
 */
function webhookOperations(): Record<string, unknown> {
  const operationFor = (method: string) => ({
    operationId: `callWebhook${method[0]?.toUpperCase()}${method.slice(1)}`,
    tags: ['hooks'],
    summary:
      "Start the webhook's workflow with this request as its trigger (only its configured method is accepted)",
    security: [],
    parameters: [
      { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
      {
        name: 'X-Pincer-Secret',
        in: 'header',
        required: false,
        description: 'The secret shown when the webhook was created (or `?secret=`)',
        schema: { type: 'string' },
      },
    ],
    requestBody: { required: false, content: { '*/*': { schema: {} } } },
    responses: {
      '200': {
        description: "`respond: when_done`: the respond step's answer, or the last step's output as JSON",
      },
      '202': { description: '`respond: immediately`: `{ runId, status }`' },
      '404': { $ref: '#/components/responses/NotFound' },
      '405': { description: "Not the webhook's method" },
      '413': { $ref: '#/components/responses/TooLarge' },
      '504': { description: "The run did not finish within the webhook's timeout; it goes on" },
    },
  });
  return Object.fromEntries(
    ['get', 'post', 'put', 'patch', 'delete'].map((method) => [method, operationFor(method)]),
  );
}
