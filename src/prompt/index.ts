export * from './render.ts';
export { TEMPLATE_NAMES } from './templates.ts';
