/**
 * Import boundaries, checked in CI (npm run check:boundaries):
 * - no circular imports;
 * - a feature uses another feature only through that feature's index.ts;
 * - the shared layers (periods, lib, db, slack, metrics, entries, org, scheduler, observability) import no feature.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports hide a missing layer: move the shared piece down to the module that owns it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'feature-through-index',
      severity: 'error',
      comment: 'A feature is used by another only through its index.ts.',
      from: { path: '^src/features/([^/]+)/' },
      to: { path: '^src/features/([^/]+)/', pathNot: ['^src/features/$1/', '^src/features/[^/]+/index\\.ts$'] },
    },
    {
      name: 'shared-layers-import-no-feature',
      severity: 'error',
      comment: 'periods, lib, db, slack, metrics, entries, org, scheduler and observability sit below the features.',
      from: { path: '^src/(periods|lib|db|slack|metrics|scheduler|entries|org|observability)/' },
      to: { path: '^src/features/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    exclude: { path: '^(node_modules|data|dist|coverage|test/artifacts)/' },
  },
};
