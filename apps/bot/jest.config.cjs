module.exports = {
  displayName: 'bot',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
