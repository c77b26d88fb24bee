/** Import-boundary rules from ARCHITECTURE.md §2, checked in `npm run lint`. */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'baileys-only-in-its-engine',
      comment: 'Only src/engines/baileys/ may import baileys.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/engines/baileys/' },
      to: { path: 'node_modules/baileys/' },
    },
    {
      name: 'db-clients-only-in-their-driver',
      comment: 'Only src/storage/<driver>/ imports a database client.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/storage/(sqlite|postgres|shared)/' },
      to: { path: 'node_modules/(better-sqlite3|pg|kysely)/' },
    },
    {
      name: 'http-uses-services-not-adapters',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(engines/(baileys|fake)|storage/(sqlite|postgres|shared))/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds pure types and rules: no I/O, no other layer.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'production-never-depends-on-sim',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^sim/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs'] },
  },
};
