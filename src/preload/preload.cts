/**
 * The window's preload: exposes `window.tokentray` through the context bridge.
 *
 * CommonJS because sandboxed preloads cannot be ES modules; scripts/build-renderer.mjs
 * bundles it (with the shared contract) into dist/preload/preload.cjs, since a sandboxed
 * preload can require nothing but a few Electron modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './create-bridge.js';

contextBridge.exposeInMainWorld('tokentray', createBridge(ipcRenderer));
