/**
 * Sets webpack's public path from the URL Grafana loaded `module.js` from, so files next to it (the layout
 * worker) are found wherever Grafana serves the plugin: under a sub-path, or from a plugin CDN. Without the AMD
 * module's URL the build's `public/plugins/<id>/` stays (`output.publicPath`). Imported first by `module.ts`, as
 * `@grafana/create-plugin` does with its generated `grafana-public-path` module.
 */
import amdModule from 'amd-module';

const uri = amdModule?.uri;
if (uri) __webpack_public_path__ = uri.slice(0, uri.lastIndexOf('/') + 1);
