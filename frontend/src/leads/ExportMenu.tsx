// The list's Export menu: the file of every lead its filters and sort select (not just the page).
import type { LeadListQuery } from "./api";
import { exportUrl } from "./listQuery";

export function ExportMenu({ query }: { query: LeadListQuery }) {
  return (
    <details className="export-menu">
      <summary className="btn" data-testid="export">
        Export
      </summary>
      <div className="export-options">
        <a href={exportUrl(query, "csv")} download data-testid="export-csv">
          CSV
        </a>
        <a href={exportUrl(query, "xlsx")} download data-testid="export-xlsx">
          Excel (XLSX)
        </a>
      </div>
    </details>
  );
}
