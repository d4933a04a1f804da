export { main, USAGE } from './main.js';
export { FIRST_PARTY_PLUGINS, type Io } from './context.js';
