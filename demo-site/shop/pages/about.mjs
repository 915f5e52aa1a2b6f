// About page: static prose; only the shared header and footer are rendered here.
import { loadCatalog } from '../catalog.mjs';
import { renderLayout } from '../layout.mjs';

let catalog = null;
try {
  catalog = await loadCatalog();
} catch {
  // the page reads fine without the category menu
}
renderLayout(catalog, { current: 'about' });
