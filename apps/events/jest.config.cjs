module.exports = {
  displayName: 'events',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
