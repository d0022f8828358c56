// The webhooks API (admins only) as TanStack Query hooks: the list, a webhook's deliveries, and
// the writes. Every write refetches the list; a delivery write refetches that webhook's log.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";

export type Webhook = Schemas["WebhookOut"];
export type WebhookCreated = Schemas["WebhookCreatedOut"];
export type WebhookCreate = Schemas["WebhookCreateRequest"];
export type WebhookPatch = Schemas["PatchedWebhookUpdateRequest"];
export type Delivery = Schemas["DeliveryOut"];
export type Attempt = Schemas["AttemptOut"];

export const webhooksKey = ["webhooks"] as const;
export const deliveriesKey = (uid: string) => ["webhooks", uid, "deliveries"] as const;

export const DELIVERY_PAGE = 20;
// While a delivery waits or is being sent, its log is read this often, to show how it went.
export const BUSY_POLL_MS = 1000;
// An open log is read this often anyway: new events bring new deliveries.
export const IDLE_POLL_MS = 5000;

export function useWebhooks() {
  return useQuery({ queryKey: webhooksKey, queryFn: () => unwrap(api.GET("/api/webhooks/")) });
}

/** Whether a log holds a delivery that is not finished yet. */
export function hasUnfinished(deliveries: Delivery[] | undefined): boolean {
  return (deliveries ?? []).some((delivery) => delivery.status === "pending" || delivery.status === "sending");
}

export function useDeliveries(uid: string) {
  return useQuery({
    queryKey: deliveriesKey(uid),
    queryFn: () =>
      unwrap(api.GET("/api/webhooks/{uid}/deliveries/", { params: { path: { uid }, query: { limit: DELIVERY_PAGE } } })),
    refetchInterval: (query) => (hasUnfinished(query.state.data?.results) ? BUSY_POLL_MS : IDLE_POLL_MS),
  });
}

function useWebhookWrite<TData, TVariables>(mutationFn: (variables: TVariables) => Promise<TData>) {
  const cache = useQueryClient();
  return useMutation<TData, Error, TVariables>({
    mutationFn,
    // The webhook's state and its log can both change: refetch everything under "webhooks".
    onSettled: () => cache.invalidateQueries({ queryKey: webhooksKey }),
  });
}

export function useCreateWebhook() {
  return useWebhookWrite((body: WebhookCreate) => unwrap(api.POST("/api/webhooks/", { body })));
}

export function useUpdateWebhook() {
  return useWebhookWrite(({ uid, patch }: { uid: string; patch: WebhookPatch }) =>
    unwrap(api.PATCH("/api/webhooks/{uid}/", { params: { path: { uid } }, body: patch })),
  );
}

export function useDeleteWebhook() {
  return useWebhookWrite((uid: string) => unwrap(api.DELETE("/api/webhooks/{uid}/", { params: { path: { uid } } })));
}

export function useSendTest() {
  return useWebhookWrite((uid: string) => unwrap(api.POST("/api/webhooks/{uid}/test/", { params: { path: { uid } } })));
}

export function useRedeliver() {
  return useWebhookWrite(({ uid, id }: { uid: string; id: string }) =>
    unwrap(
      api.POST("/api/webhooks/{uid}/deliveries/{delivery_id}/redeliver/", {
        params: { path: { uid, delivery_id: id } },
      }),
    ),
  );
}
