module.exports = {
  displayName: 'health',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
