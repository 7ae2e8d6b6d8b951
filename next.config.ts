import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite breaks when bundled (it loads its WASM and data files relative to its own path);
  // argon2 is a native addon.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2'],
  poweredByHeader: false,
  async headers() {
    // Depot's pages are never framed (clickjacking of admin actions) nor sniffed as another type.
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
  experimental: {
    // forbidden()/unauthorized() give admin pages a real 403/401 status instead of a redirect.
    authInterrupts: true,
  },
};

export default nextConfig;
