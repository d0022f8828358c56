// Admin settings: the pipeline's stages, the custom fields every lead carries, the team, the
// automation rules, the webhooks to other tools, and the audit log of who changed them.
// App.tsx mounts this at /settings/* for admins only; the tabs are routes relative to it.
import { Navigate, NavLink, Route, Routes } from "react-router-dom";
import { AuditTab } from "./audit/AuditTab";
import { AutomationTab } from "./automation/AutomationTab";
import { FieldsTab } from "./FieldsTab";
import { IntegrationsTab } from "./integrations/IntegrationsTab";
import { StagesTab } from "./StagesTab";
import { UsersTab } from "./UsersTab";
import "./settings.css";

const TABS = [
  { path: "stages", label: "Stages", hint: "Order, rules and tasks" },
  { path: "fields", label: "Custom fields", hint: "What every lead records" },
  { path: "users", label: "Users", hint: "Who signs in, and roles" },
  { path: "automation", label: "Automation", hint: "Rules that act on leads" },
  { path: "integrations", label: "Integrations", hint: "Webhooks to other tools" },
  { path: "audit", label: "Audit log", hint: "Who changed what" },
] as const;

export function SettingsPage() {
  return (
    <div className="page settings-page">
      <div className="page-header">
        <div>
          <h1>Settings</h1>
          <p className="muted settings-subtitle">
            Shape the pipeline your team works in. Changes apply to everyone at once.
          </p>
        </div>
      </div>
      <nav className="settings-tabs" aria-label="Settings sections">
        {TABS.map((tab) => (
          <NavLink
            key={tab.path}
            to={`/settings/${tab.path}`}
            className="settings-tab"
            data-testid={`settings-tab-${tab.path}`}
          >
            <span className="settings-tab-label">{tab.label}</span>
            <span className="settings-tab-hint">{tab.hint}</span>
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="/settings/stages" replace />} />
        <Route path="stages" element={<StagesTab />} />
        <Route path="fields" element={<FieldsTab />} />
        <Route path="users" element={<UsersTab />} />
        <Route path="automation" element={<AutomationTab />} />
        <Route path="integrations" element={<IntegrationsTab />} />
        <Route path="audit" element={<AuditTab />} />
        <Route path="*" element={<Navigate to="/settings/stages" replace />} />
      </Routes>
    </div>
  );
}
