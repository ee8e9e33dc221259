/**
 * Production build of the panel: `src/module.ts` → `dist/module.js` as an AMD module, the format and externals
 * Grafana's plugin loader expects (from `@grafana/create-plugin` 7's `.config/bundler/externals.ts` and
 * `.config/webpack/webpack.config.ts`); the ERD's layout worker → `dist/layout-worker.js`, a plain worker script;
 * plus the files Grafana and the plugin validator read next to it.
 * We write the config ourselves instead of scaffolding `.config/`: create-plugin's config pulls in copy, replace,
 * ESLint and live-reload plugins that are not installed here, and the build must not download anything.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import webpack from 'webpack';
import type { Configuration, ExternalItemFunctionData } from 'webpack';

import { LAYOUT_WORKER_FILE } from './src/components/erd/layout-protocol.ts';

const ROOT = import.meta.dirname;
const DIST = path.join(ROOT, 'dist');

interface PackageJson {
  version: string;
}

/** `plugin.json` of the source tree. */
export function readPluginJson(): { id: string; [key: string]: unknown } {
  return JSON.parse(readFileSync(path.join(ROOT, 'src', 'plugin.json'), 'utf8')) as { id: string };
}

/** The plugin's version: the workspace package's. */
export function pluginVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson).version;
}

/** Build date as YYYY-MM-DD; `SOURCE_DATE_EPOCH` (seconds) pins it for reproducible builds. */
export function buildDate(): string {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  const date = Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date();
  return date.toISOString().slice(0, 10);
}

/** Modules Grafana provides at run time (create-plugin 7 list, without the Angular-era ones we never import). */
export const EXTERNALS: NonNullable<Configuration['externals']> = [
  // Lets the AMD loader hand the module its own URL (create-plugin: "dynamic publicPath resolution").
  { 'amd-module': 'module' },
  'lodash',
  'moment',
  'emotion',
  '@emotion/react',
  '@emotion/css',
  'prismjs',
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom',
  'react-redux',
  'redux',
  'rxjs',
  'i18next',
  'react-router',
  'd3',
  /^@grafana\/ui/i,
  /^@grafana\/runtime/i,
  /^@grafana\/data/i,
  // Legacy SDK imports (`grafana/app/...`) resolve to Grafana's own modules without the prefix.
  ({ request }: ExternalItemFunctionData, callback: (error?: Error, result?: string) => void) => {
    if (request?.startsWith('grafana/')) {
      return callback(undefined, request.slice('grafana/'.length));
    }
    callback();
  },
];

/** Where the browser tests keep the committed screenshots, relative to the plugin folder. */
const SCREENSHOT_SOURCE = 'tests/browser/screenshots';
/** The screenshots the package ships: the ones plugin.json lists and the ones the README shows. */
const SCREENSHOTS: readonly string[] = [
  ...new Set([
    ...(
      JSON.parse(readFileSync(path.join(ROOT, 'src/plugin.json'), 'utf8')) as { info: { screenshots: { path: string }[] } }
    ).info.screenshots.map((s) => path.basename(s.path)),
    ...[...readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/\]\(tests\/browser\/screenshots\/([^)]+)\)/g)].map((m) => m[1] as string),
  ]),
];

/** Files copied next to `module.js`; placeholders replaced in plugin.json and README. */
const STATIC_FILES: ReadonlyArray<{ from: string; to: string; fill: boolean }> = [
  { from: 'src/plugin.json', to: 'plugin.json', fill: true },
  { from: 'README.md', to: 'README.md', fill: true },
  { from: 'CHANGELOG.md', to: 'CHANGELOG.md', fill: false },
  { from: 'LICENSE', to: 'LICENSE', fill: false },
  { from: 'src/img/logo.svg', to: 'img/logo.svg', fill: false },
  // The screenshots plugin.json and the README show, from where the browser tests keep them (one copy in git).
  ...SCREENSHOTS.map((name) => ({ from: `${SCREENSHOT_SOURCE}/${name}`, to: `img/screenshots/${name}`, fill: false })),
];

/** plugin.json and README placeholders, as create-plugin fills them. */
export function fillPlaceholders(text: string, id: string): string {
  return text
    // The README's images point into the tests' folder in the repository, and into img/ in the package.
    .replaceAll(`](${SCREENSHOT_SOURCE}/`, '](img/screenshots/')
    .replaceAll('%VERSION%', pluginVersion())
    .replaceAll('%TODAY%', buildDate())
    .replaceAll('%PLUGIN_ID%', id);
}

/** Emits the static files as webpack assets, so `output.clean` and the asset list cover them. */
class StaticFilesPlugin {
  apply(compiler: webpack.Compiler): void {
    const { RawSource } = compiler.webpack.sources;
    compiler.hooks.thisCompilation.tap('StaticFilesPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'StaticFilesPlugin', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          const id = readPluginJson().id;
          for (const file of STATIC_FILES) {
            const absolute = path.join(ROOT, file.from);
            compilation.fileDependencies.add(absolute);
            const content = file.fill ? fillPlaceholders(readFileSync(absolute, 'utf8'), id) : readFileSync(absolute);
            compilation.emitAsset(file.to, new RawSource(content));
          }
        },
      );
    });
  }
}

interface MinimizerPluginClass {
  new (options: { minify: unknown; minimizerOptions?: object }): webpack.WebpackPluginInstance;
  swcMinify: unknown;
}

/**
 * JS minification with swc instead of webpack's default terser: elkjs ships 1.6 MB of already minified code,
 * which terser spends about a minute re-minifying on our 2 cores; swc takes seconds. The plugin class is the one
 * webpack itself loads for its default minimizer, resolved from webpack so no other copy is needed.
 */
function swcMinimizer(): webpack.WebpackPluginInstance {
  const fromWebpack = createRequire(createRequire(import.meta.url).resolve('webpack'));
  const MinimizerPlugin = fromWebpack('minimizer-webpack-plugin') as MinimizerPluginClass;
  return new MinimizerPlugin({
    minify: MinimizerPlugin.swcMinify,
    minimizerOptions: { compress: { passes: 1 }, mangle: true },
  });
}

const config = (): Configuration => {
  const id = readPluginJson().id;
  return {
    mode: 'production',
    context: ROOT,
    entry: {
      module: { import: './src/module.ts', library: { type: 'amd' } },
      // The ERD's layout worker: a plain script (a worker has no AMD loader), loaded by URL next to module.js.
      [LAYOUT_WORKER_FILE.replace(/\.js$/, '')]: { import: './src/components/erd/layout-worker.ts' },
    },
    devtool: 'source-map',
    externals: EXTERNALS,
    // Set here, not through output.library, which would also wrap the worker in define().
    externalsType: 'amd',
    module: {
      rules: [
        {
          test: /\.[cm]?[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2020',
                parser: { syntax: 'typescript', tsx: true },
                transform: { react: { runtime: 'automatic' } },
              },
            },
          },
        },
      ],
    },
    output: {
      path: DIST,
      filename: '[name].js',
      // Grafana serves a plugin's files under public/plugins/<id>/ (relative: works under a sub-path too);
      // src/public-path.ts replaces it at run time with the directory module.js was actually loaded from.
      publicPath: `public/plugins/${id}/`,
      uniqueName: id,
      clean: true,
    },
    plugins: [new StaticFilesPlugin()],
    optimization: { minimizer: [swcMinimizer()] },
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.jsx'],
      // Sources import with `.ts`/`.tsx` extensions (as the exporter does); let `.js` requests find `.ts` too.
      extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
    },
    performance: { hints: false },
  };
};

export default config;
