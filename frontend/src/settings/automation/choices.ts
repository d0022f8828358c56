// What a rule can name, loaded once for the tab: stages, active users, custom fields, webhooks.
import type { FieldDefinition, Stage, User } from "../../api/types";
import { useConfig, useStages, useUsers } from "../../app/queries";
import { sortedDefinitions } from "../../fields";
import { useWebhooks, type Webhook } from "../integrations/api";

export interface RuleChoices {
  stages: Stage[];
  users: User[];
  definitions: FieldDefinition[];
  webhooks: Webhook[];
}

export function userLabel(user: Pick<User, "display_name" | "username">): string {
  return user.display_name || user.username;
}

/** The choices, or null while any is loading; `error` is the first failure. */
export function useRuleChoices(): { choices: RuleChoices | null; error: unknown; retry: () => void } {
  const stages = useStages();
  const users = useUsers();
  const config = useConfig();
  const webhooks = useWebhooks();
  const queries = [stages, users, config, webhooks];
  const error = queries.find((query) => query.isError)?.error ?? null;
  const retry = () => queries.forEach((query) => query.isError && void query.refetch());
  if (!stages.data || !users.data || !config.data || !webhooks.data) return { choices: null, error, retry };
  return {
    choices: {
      stages: [...stages.data].sort((a, b) => a.order - b.order),
      users: users.data.filter((user) => user.is_active),
      definitions: sortedDefinitions(config.data.variables),
      webhooks: webhooks.data,
    },
    error,
    retry,
  };
}
