module.exports = {
  displayName: 'logging',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
