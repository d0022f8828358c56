import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The Django service serves the built files; `npm run dev` proxies the API to a running
// `make run` so the app can be worked on with hot reload.
const apiTarget = process.env.LEADCRM_API_TARGET ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false },
  server: {
    proxy: {
      // Keep the browser's Host header: Django's CSRF check compares it with the Origin.
      "/api": { target: apiTarget, changeOrigin: false },
      "/healthz": { target: apiTarget, changeOrigin: false },
    },
  },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"] },
});
