// Repository-level tests: the deployment files (docker-compose, Kubernetes, Dockerfile), the
// `npm start` smoke test, cross-service end-to-end tests over the real apps, docs/api.md against
// the OpenAPI document (docs/) and where code may live (architecture/).
module.exports = {
  displayName: 'repo-tests',
  preset: '../jest.preset.cjs',
  rootDir: __dirname,
};
