export type { Catalogue, MeasureLookup, PopulationFigure } from './catalogue.js';
export { measureKey } from './catalogue.js';
export type { CatalogueProblem } from './errors.js';
export { CatalogueError, formatProblem } from './errors.js';
export { CATALOGUE_FILES, defaultCatalogueDir, loadCatalogue } from './load.js';
export * from './schema.js';
