// The demo's file-backed store is the one the package's command line uses (`--store file:PATH`).
export { FileStore } from '../../pkg/lib/cli/file-store.js';
