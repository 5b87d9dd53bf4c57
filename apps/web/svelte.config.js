import adapter from '@sveltejs/adapter-static';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    // The server serves these files under /ui/, with index.html as the
    // fallback so that client-side routes survive a reload.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html' }),
    paths: { base: '/ui' },
  },
};

export default config;
