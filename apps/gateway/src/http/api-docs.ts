import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { GatewayConfig } from '../config/gateway.config';
import { LIVENESS_OPENAPI, LIVENESS_PATH } from '../health/liveness';

/** Where the OpenAPI document and Swagger UI are served (relative to the root, no slash). */
export const API_DOCS_PATH = 'docs';
export const API_DOCUMENT_PATH = 'docs-json';

/**
 * The OpenAPI document (/docs-json) and Swagger UI (/docs), unless API_DOCS_ENABLED=false: then
 * neither route exists and both answer 404 like any unknown path. Swagger UI's scripts, styles and
 * images are the swagger-ui-dist files @nestjs/swagger serves from the gateway itself, and its page
 * has no inline script, so the Content-Security-Policy (security-headers.ts) allows scripts from
 * 'self' only. The online validator badge is off: it would load an image from validator.swagger.io,
 * telling a third party where the API lives.
 */
export function registerApiDocs(app: NestFastifyApplication, config: GatewayConfig): void {
  if (!config.API_DOCS_ENABLED) return;
  const openApi = new DocumentBuilder()
    .setTitle('UP Club API')
    .setDescription('The public REST API of the UP Club platform')
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = () => {
    const routes = SwaggerModule.createDocument(app, openApi);
    // Liveness is a Fastify route (liveness.ts), which Nest's document does not see.
    routes.paths = { [LIVENESS_PATH]: LIVENESS_OPENAPI, ...routes.paths };
    return routes;
  };
  SwaggerModule.setup(API_DOCS_PATH, app, document, {
    jsonDocumentUrl: API_DOCUMENT_PATH,
    swaggerOptions: { validatorUrl: 'none' },
  });
}
