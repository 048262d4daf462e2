/// <reference types="vite/client" />

// swagger-ui-dist ships no types; its ES bundle's default export takes Swagger UI's options.
declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  const SwaggerUI: (options: Record<string, unknown>) => unknown;
  export default SwaggerUI;
}
