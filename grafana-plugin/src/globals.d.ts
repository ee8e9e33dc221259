/**
 * Names the bundlers and Grafana's loader provide at run time.
 * - `__webpack_public_path__`: where the plugin's own files are served (webpack; the browser-test harness sets
 *   it as a global instead).
 * - `amd-module`: the AMD loader's "module" of `module.js` itself, whose `uri` is the URL Grafana loaded it from
 *   (an external in `webpack.config.ts`, as in `@grafana/create-plugin`).
 */
declare let __webpack_public_path__: string;

declare module 'amd-module' {
  const amdModule: { uri?: string } | undefined;
  export default amdModule;
}
