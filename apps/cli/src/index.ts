export { FIRST_PARTY_PLUGINS, type Io } from './context.js';
export { main, USAGE } from './main.js';
