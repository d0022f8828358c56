import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router-dom";
import { App } from "./app/App";
import { ApiError } from "./api/client";
import { ToastProvider } from "./ui/toast";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A 4xx will not fix itself; only network trouble is worth retrying.
      retry: (failures, error) => error instanceof ApiError && error.status === 0 && failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

// A data router, so a page with unsaved edits can hold a route change (useBlocker); the app's
// own <Routes> live under its one splat route.
const router = createBrowserRouter([
  {
    path: "*",
    element: (
      <ToastProvider>
        <App />
      </ToastProvider>
    ),
  },
]);

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
}
