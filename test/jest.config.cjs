// Repository-level tests: the deployment files (docker-compose, Kubernetes, Dockerfile), the
// `npm start` smoke test, and cross-service end-to-end tests over the real apps.
module.exports = {
  displayName: 'repo-tests',
  preset: '../jest.preset.cjs',
  rootDir: __dirname,
};
