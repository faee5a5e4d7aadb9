module.exports = {
  displayName: 'auth-codes',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
