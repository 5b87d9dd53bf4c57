// The UI is a static single-page app: the server serves the built files.
export const ssr = false;
export const prerender = false;
