// What the board does with a drop: makes the move (optimistic, through useMoveCard), asks for the
// target's missing required fields first when those are all that stand in the way, and says why
// in a toast when a move is refused, before sending (the card's moves) or after (a 409).
import { useCallback, useMemo, useState } from "react";
import { ApiError } from "../api/client";
import type { Board, Card, FieldDefinition, FieldRef } from "../api/types";
import { asksOnlyForFields, reasonFields } from "../app/moves";
import { useToast } from "../ui/toast";
import { useMoveCard, type MoveRequest } from "./api";
import type { DropOutcome } from "./dragState";
import { errorReasons, MoveRefusal } from "./moveMessages";
import { requiredDefinitions, type RequiredFieldsRequest } from "./RequiredFields";
import type { BoardFilters } from "./filters";
import { focusCard } from "./useDragMachine";

export interface AskFields extends RequiredFieldsRequest {
  move: MoveRequest;
  leadUid: string;
}

export function useMoveFlow(board: Board, filters: BoardFilters, variables: readonly FieldDefinition[]) {
  const toast = useToast();
  const { mutateAsync: move } = useMoveCard(filters);
  const [ask, setAsk] = useState<AskFields | null>(null);
  const stageNames = useMemo(() => new Map(board.columns.map((c) => [c.uid, c.name])), [board]);
  const nameOf = useCallback((stage: string) => stageNames.get(stage) ?? stage, [stageNames]);

  /** Opens the form for `fields`; false when the config no longer defines one of them. */
  const askFor = useCallback(
    (move: MoveRequest, card: Card, fields: readonly FieldRef[]): boolean => {
      const keys = fields.map((field) => field.key);
      const definitions = requiredDefinitions(variables, keys);
      if (keys.length === 0 || definitions.length !== keys.length) return false;
      setAsk({ move, leadUid: card.uid, leadName: card.name, stageName: nameOf(move.toStage), definitions });
      return true;
    },
    [nameOf, variables],
  );

  const run = useCallback(
    async (request: MoveRequest, card: Card, byKeyboard: boolean) => {
      try {
        await move(request);
      } catch (error) {
        if (byKeyboard) focusCard(card.uid);
        const reasons = errorReasons(error);
        // The card's moves were out of date: the server asks for fields after all.
        if (asksOnlyForFields(reasons) && askFor(request, card, reasonFields(reasons))) return;
        toast(
          <MoveRefusal
            leadName={card.name}
            leadUid={card.uid}
            targetName={nameOf(request.toStage)}
            reasons={reasons}
            error={error}
            sent
          />,
          "error",
        );
      }
    },
    [askFor, move, nameOf, toast],
  );

  const onDrop = useCallback(
    (outcome: DropOutcome, card: Card, byKeyboard: boolean) => {
      switch (outcome.kind) {
        case "move":
          void run(outcome.request, card, byKeyboard);
          return;
        case "ask":
          if (askFor(outcome.request, card, outcome.fields)) return;
          // A field the config does not define cannot be asked for here: send the move and
          // let the server's refusal say what is missing.
          void run(outcome.request, card, byKeyboard);
          return;
        case "refuse":
          toast(
            <MoveRefusal
              leadName={card.name}
              leadUid={card.uid}
              targetName={nameOf(outcome.stage)}
              reasons={outcome.reasons}
              sent={false}
            />,
            "error",
          );
          return;
        case "none":
          return;
      }
    },
    [askFor, nameOf, run, toast],
  );

  const closeAsk = useCallback(() => setAsk(null), []);
  const submitAsk = useCallback(
    async (data: Record<string, unknown>) => {
      if (!ask) return;
      try {
        await move({ ...ask.move, data });
        setAsk(null);
      } catch (error) {
        // Values the server refused stay in the form, on their fields; any other refusal
        // closes it and says why.
        if (error instanceof ApiError && Object.keys(error.fields).some((k) => k.startsWith("data."))) {
          throw error;
        }
        setAsk(null);
        toast(
          <MoveRefusal
            leadName={ask.leadName}
            leadUid={ask.leadUid}
            targetName={ask.stageName}
            reasons={errorReasons(error)}
            error={error}
            sent
          />,
          "error",
        );
      }
    },
    [ask, move, toast],
  );

  return { onDrop, ask, closeAsk, submitAsk };
}
