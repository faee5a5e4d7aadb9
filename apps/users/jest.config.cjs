module.exports = {
  displayName: 'users',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
